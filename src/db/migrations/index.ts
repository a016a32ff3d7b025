import type { MigrationInterface } from 'typeorm';
import { Foundation1764000000000 } from './1764000000000-Foundation';
import { PeopleAndActivities1764000000001 } from './1764000000001-PeopleAndActivities';
import { SmartLists1764000000002 } from './1764000000002-SmartLists';
import { Campaigns1764000000003 } from './1764000000003-Campaigns';
import { Deliveries1764000000004 } from './1764000000004-Deliveries';
import { BinaryNameKeys1764000000005 } from './1764000000005-BinaryNameKeys';
import { FilterProbeIndex1764000000006 } from './1764000000006-FilterProbeIndex';
import { ActivityStream1764000000100 } from './1764000000100-ActivityStream';
import { SqliteIntegerColumns1764000000200 } from './1764000000200-SqliteIntegerColumns';
import { Catalog1764000000300 } from './1764000000300-Catalog';
import { OperationsJobs1764000000400 } from './1764000000400-OperationsJobs';
import { IdentityAndOrigins1764000000500 } from './1764000000500-IdentityAndOrigins';
import { CampaignRunPersonIndex1764000000610 } from './1764000000610-CampaignRunPersonIndex';
import { ChatConstraints1764000000620 } from './1764000000620-ChatConstraints';

/** In order. Never edit a migration that has shipped: add a new one. */
export const MIGRATIONS: Array<new () => MigrationInterface> = [
  Foundation1764000000000,
  PeopleAndActivities1764000000001,
  SmartLists1764000000002,
  Campaigns1764000000003,
  Deliveries1764000000004,
  BinaryNameKeys1764000000005,
  FilterProbeIndex1764000000006,
  ActivityStream1764000000100,
  SqliteIntegerColumns1764000000200,
  Catalog1764000000300,
  OperationsJobs1764000000400,
  IdentityAndOrigins1764000000500,
  CampaignRunPersonIndex1764000000610,
  ChatConstraints1764000000620,
];
