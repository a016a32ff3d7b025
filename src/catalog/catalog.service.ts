import type { DataSource, EntityManager } from 'typeorm';
import type { ChatKind } from '../activity/activity.entity';
import { CatalogEntryEntity } from './catalog.entity';
import { searchTooLong } from './catalog.errors';
import { CatalogType, MAX_SEARCH_LENGTH, nameKey, type CatalogKey } from './catalog.model';
import { CatalogRepository } from './catalog.repository';

/** What an activity says about the catalog (an ActivityEntity is one). */
export interface CatalogMention {
  chatKind: ChatKind;
  chatId: string;
  chatName: string;
  agentId: string | null;
  agentName: string | null;
  documentId: string | null;
  documentName: string | null;
  documentUrl: string | null;
  recordedAt: Date;
}

/**
 * The workspace's chats, agents and documents (see CatalogEntryEntity).
 * The recording transaction calls it twice: `claimChats` first, before
 * anything of the batch is written, so an activity whose chat has another
 * kind stores nothing; `recordNames` once the activities are stored, before
 * the hooks (campaign constraints on current names see the batch's names).
 */
export class CatalogService {
  readonly repository: CatalogRepository;

  constructor(dataSource: DataSource) {
    this.repository = new CatalogRepository(dataSource);
  }

  /**
   * Creates the chats these activities name that do not exist yet (with the
   * kind of the first one naming each, in input order), and answers, per
   * activity, the kind its chat already has when it differs from its own
   * (null when it agrees). Race-safe: of concurrent first activities of one
   * chat, the primary key lets one create it, and the others read its kind.
   */
  async claimChats(
    tx: EntityManager,
    workspaceId: string,
    mentions: readonly CatalogMention[],
  ): Promise<Array<ChatKind | null>> {
    const ids = [...new Set(mentions.map((m) => m.chatId))];
    const kinds = await this.repository.chatKinds(tx, workspaceId, ids);
    const missing = new Map<string, CatalogEntryEntity>();
    for (const mention of mentions) {
      if (kinds.has(mention.chatId) || missing.has(mention.chatId)) continue;
      missing.set(
        mention.chatId,
        entry(workspaceId, CatalogType.CHAT, mention.chatId, mention.chatName, null, mention),
      );
    }
    if (missing.size > 0) {
      await this.repository.createChats(tx, [...missing.values()]);
      for (const [id, kind] of await this.repository.chatKinds(tx, workspaceId, [...missing.keys()]))
        kinds.set(id, kind);
    }
    return mentions.map((m) => {
      const kind = kinds.get(m.chatId);
      if (kind === undefined) throw new Error(`chat ${m.chatId} was neither found nor created`);
      return kind === m.chatKind ? null : kind;
    });
  }

  /**
   * Gives each chat, agent and document these stored activities name the
   * name (and url) of the last of them, creating agents and documents seen
   * for the first time. One statement.
   */
  async recordNames(tx: EntityManager, workspaceId: string, mentions: readonly CatalogMention[]): Promise<void> {
    // The last mention of each entry in input order wins within the batch (they share one recorded time).
    const latest = new Map<string, CatalogEntryEntity>();
    const put = (type: CatalogType, id: string, name: string, url: string | null, m: CatalogMention) =>
      latest.set(`${type}\u0000${id}`, entry(workspaceId, type, id, name, url, m));
    for (const m of mentions) {
      put(CatalogType.CHAT, m.chatId, m.chatName, null, m);
      if (m.agentId !== null && m.agentName !== null) put(CatalogType.AGENT, m.agentId, m.agentName, null, m);
      if (m.documentId !== null && m.documentName !== null)
        put(CatalogType.DOCUMENT, m.documentId, m.documentName, m.documentUrl, m);
    }
    await this.repository.upsertNames(tx, [...latest.values()]);
  }

  // ------------------------------------------------------------ reads

  /** Batch load for DataLoaders: entries by key, in key order, null where there is none. */
  async getMany(workspaceId: string, keys: readonly CatalogKey[]): Promise<Array<CatalogEntryEntity | null>> {
    const rows = await this.repository.getMany(workspaceId, keys);
    const found = new Map(rows.map((row) => [`${row.type}\u0000${row.widgetId}`, row]));
    return keys.map((key) => found.get(`${key.type}\u0000${key.widgetId}`) ?? null);
  }

  /** A picker page: one type's entries in name order, optionally those whose name starts with `search` (any case). */
  list(
    workspaceId: string,
    type: CatalogType,
    options: { limit: number; after: { nameKey: string; widgetId: string } | null; search?: string | null },
  ): Promise<CatalogEntryEntity[]> {
    const search = options.search ?? '';
    if ([...search].length > MAX_SEARCH_LENGTH) throw searchTooLong(MAX_SEARCH_LENGTH);
    return this.repository.list(workspaceId, type, {
      limit: options.limit,
      after: options.after,
      prefix: search === '' ? null : nameKey(search),
    });
  }
}

function entry(
  workspaceId: string,
  type: CatalogType,
  widgetId: string,
  name: string,
  url: string | null,
  mention: CatalogMention,
): CatalogEntryEntity {
  return Object.assign(new CatalogEntryEntity(), {
    workspaceId,
    type,
    widgetId,
    chatKind: type === CatalogType.CHAT ? mention.chatKind : null,
    name,
    nameKey: nameKey(name),
    url,
    createdAt: mention.recordedAt,
    updatedAt: mention.recordedAt,
  });
}
