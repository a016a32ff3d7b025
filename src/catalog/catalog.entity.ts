import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import type { ChatKind } from '../activity/activity.entity';
import { TimestampColumn } from '../db/columns';
import type { CatalogType } from './catalog.model';

/**
 * A chat (dialogue or conversational flow), an agent or a document of a
 * workspace, keyed by the id the widget gave it: the first activity that
 * names one creates it, later ones update its name (a document's url too),
 * the latest recorded winning. One table for the three (see migration
 * 1764000000300 for why).
 */
@Entity('catalog_entry')
// Pickers: a name-prefix range of one type, in name order (keyset on name_key, widget_id).
@Index('idx_catalog_entry_name', ['workspaceId', 'type', 'nameKey', 'widgetId'])
export class CatalogEntryEntity {
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_catalog_entry_workspace', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId: string;

  @PrimaryColumn({ name: 'entry_type', type: 'varchar', length: 16 })
  type: CatalogType;

  /** The widget's own id (ChatInput.id, AgentInput.id, DocumentInput.id); compared as bytes on both databases. */
  @PrimaryColumn({ name: 'widget_id', type: 'varchar', length: 128 })
  widgetId: string;

  /** Chats only: fixed by the chat's first activity. */
  @Column({ name: 'chat_kind', type: 'varchar', length: 32, nullable: true })
  chatKind: ChatKind | null;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Lower-cased name, compared as bytes on both databases: what pickers search and order by. */
  @Column({ name: 'name_key', type: 'varchar', length: 255 })
  nameKey: string;

  /** Documents only. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  url: string | null;

  /** recorded_at of the first activity that named it. */
  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  /** recorded_at of the activity whose name (and url) it carries: a later one replaces them, an earlier one does not. */
  @TimestampColumn({ name: 'updated_at' })
  updatedAt: Date;
}
