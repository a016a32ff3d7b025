import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { binaryCollation, idRef, timestamp } from './helpers';

const INSERT_CHUNK = 500;

/**
 * Chats, agents and documents become entities of the workspace, named by
 * the widget's id: `catalog_entry`, one row per (workspace, type, widget id),
 * carrying the latest name (a document its url too; a chat its kind, fixed
 * by its first activity).
 *
 * One table with a type column rather than a table each: the three are the
 * same thing (an id the widget chose and the name it last sent, a
 * document's url and a chat's kind aside), and they are read and written
 * together. A timeline page shows chats, agents and documents at once and
 * resolves them with one query; the recording transaction updates whatever
 * its batch named with one statement; a picker is the same prefix scan of
 * one index for each type. Three tables would triple each of these for no
 * column the other types lack but two nullable ones.
 *
 * The key and the name key compare bytes on MySQL/MariaDB, as on SQLite:
 * "Bot" and "bot" are two chats, and a picker search for "cafe" does not
 * find "Café". Existing activities are read once: an entry's kind is that
 * of its first activity, its name (and url) those of its latest, by
 * recorded_at.
 */
export class Catalog1764000000300 implements MigrationInterface {
  name = 'Catalog1764000000300';

  async up(queryRunner: QueryRunner): Promise<void> {
    const collation = await binaryCollation(queryRunner);
    const exact = collation ? { charset: 'utf8mb4', collation } : {};
    await queryRunner.createTable(
      new Table({
        name: 'catalog_entry',
        columns: [
          { ...idRef('workspace_id'), isPrimary: true },
          { name: 'entry_type', type: 'varchar', length: '16', isPrimary: true },
          { name: 'widget_id', type: 'varchar', length: '128', isPrimary: true, ...exact },
          { name: 'chat_kind', type: 'varchar', length: '32', isNullable: true },
          { name: 'name', type: 'varchar', length: '255' },
          { name: 'name_key', type: 'varchar', length: '255', ...exact },
          { name: 'url', type: 'varchar', length: '2048', isNullable: true },
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'idx_catalog_entry_name',
            columnNames: ['workspace_id', 'entry_type', 'name_key', 'widget_id'],
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_catalog_entry_workspace',
            columnNames: ['workspace_id'],
            referencedTableName: 'workspace',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
    await backfill(queryRunner, collation !== null);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('catalog_entry');
  }
}

interface Latest {
  workspace_id: string;
  widget_id: string;
  chat_kind: string | null;
  name: string;
  url: string | null;
  created_at: number | string;
  updated_at: number | string;
}

/**
 * One pass over the activities per type (window functions: MariaDB 10.2+,
 * MySQL 8, SQLite 3.25+); entries are few next to activities, so they are
 * written from here, with the name key lower-cased as the application does.
 */
async function backfill(queryRunner: QueryRunner, mysql: boolean): Promise<void> {
  // Partitions compare the widget's id as the key does: as bytes.
  const exact = (column: string) => (mysql ? `CAST(${column} AS BINARY)` : column);
  const sources = [
    { type: 'CHAT', id: 'chat_id', name: 'chat_name', url: 'NULL', kind: 'chat_kind' },
    { type: 'AGENT', id: 'agent_id', name: 'agent_name', url: 'NULL', kind: null },
    { type: 'DOCUMENT', id: 'document_id', name: 'document_name', url: 'document_url', kind: null },
  ];
  for (const source of sources) {
    const partition = `PARTITION BY workspace_id, ${exact(source.id)}`;
    const kind = source.kind ? `FIRST_VALUE(${source.kind}) OVER (${partition} ORDER BY recorded_at, id)` : 'NULL';
    const rows = (await queryRunner.query(
      `SELECT workspace_id, widget_id, chat_kind, name, url, created_at, updated_at FROM (
         SELECT workspace_id, ${source.id} AS widget_id, ${source.name} AS name, ${source.url} AS url,
                ${kind} AS chat_kind,
                MIN(recorded_at) OVER (${partition}) AS created_at,
                recorded_at AS updated_at,
                ROW_NUMBER() OVER (${partition} ORDER BY recorded_at DESC, id DESC) AS n
         FROM activity WHERE ${source.id} IS NOT NULL
       ) latest WHERE n = 1`,
    )) as Latest[];
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await queryRunner.query(
        `INSERT INTO catalog_entry (workspace_id, entry_type, widget_id, chat_kind, name, name_key, url, created_at, updated_at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((row) => [
          row.workspace_id,
          source.type,
          row.widget_id,
          row.chat_kind,
          row.name,
          // As the application keys names (catalog.model.ts nameKey): lower-cased, at most 255 characters.
          [...row.name.toLowerCase()].slice(0, 255).join(''),
          row.url,
          Number(row.created_at),
          Number(row.updated_at),
        ]),
      );
    }
  }
}
