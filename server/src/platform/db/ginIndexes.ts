// Index-backed lookups on the embedded engine. FerretDB (PostgreSQL handler) turns a top-level
// equality filter `{f: v}` into `_jsonb->'f' @> v`, but its own indexes are btree on `(_jsonb->'f')`,
// which `@>` cannot use: every lookup scans the table. A GIN `jsonb_path_ops` index on the same
// expression serves `@>`. This keeps one beside every index key FerretDB knows (and `_id`), in every
// database, for collections that exist now and those created later. The collection -> table map comes
// from FerretDB's `_ferretdb_database_metadata` in each database's schema: table names are not the
// collection's name (FerretDB lowercases it, turns digits and other non-letters into '_' and appends
// a hash), so they are never guessed. Whatever module declares a model, its indexes reach FerretDB
// through mongoose (autoIndex) and so reach this plan.
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Marks our indexes among FerretDB's (which end in `_idx`). */
export const GIN_INDEX_PREFIX = 'lgin_';
const METADATA_TABLE = '_ferretdb_database_metadata';

export interface GinIndexPlan {
  schema: string;
  table: string;
  collection: string;
  field: string;
  name: string;
}

interface CollectionMetadata {
  _id: string;
  table: string;
  indexes?: Array<{ key?: Record<string, unknown> }>;
}

/** The top-level fields worth a GIN index: `_id` and the fields of every declared index. */
export function indexedFields(metadata: CollectionMetadata): { fields: string[]; dotted: string[] } {
  const fields = new Set<string>(['_id']);
  const dotted = new Set<string>();
  for (const index of metadata.indexes ?? []) {
    for (const key of Object.keys(index.key ?? {})) {
      // FerretDB pushes down only top-level fields: a dotted path is filtered in Go after a scan.
      if (key.includes('.')) dotted.add(key);
      else if (!key.startsWith('$')) fields.add(key);
    }
  }
  return { fields: [...fields], dotted: [...dotted] };
}

export function ginIndexName(table: string, field: string): string {
  // PostgreSQL names are at most 63 bytes: a hash keeps them short and stable.
  return `${GIN_INDEX_PREFIX}${createHash('sha256').update(`${table}\0${field}`).digest('hex').slice(0, 24)}`;
}

/** Every GIN index the databases' metadata calls for, and whether each exists yet. */
export async function planGinIndexes(client: pg.Client): Promise<{ missing: GinIndexPlan[]; present: GinIndexPlan[] }> {
  const schemas = await client.query<{ schema: string }>(
    'SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = $1',
    [METADATA_TABLE],
  );
  const existing = new Set(
    (
      await client.query<{ key: string }>("SELECT schemaname || '.' || indexname AS key FROM pg_indexes WHERE indexname LIKE $1", [
        `${GIN_INDEX_PREFIX}%`,
      ])
    ).rows.map((r) => r.key),
  );
  const missing: GinIndexPlan[] = [];
  const present: GinIndexPlan[] = [];
  for (const { schema } of schemas.rows) {
    let rows: CollectionMetadata[];
    try {
      const result = await client.query<{ doc: CollectionMetadata }>(
        `SELECT _jsonb AS doc FROM ${client.escapeIdentifier(schema)}.${client.escapeIdentifier(METADATA_TABLE)}`,
      );
      rows = result.rows.map((r) => r.doc);
    } catch (err) {
      // A database dropped since the listing (42P01 table, 3F000 schema) is simply not planned.
      if (['42P01', '3F000'].includes((err as { code?: string }).code ?? '')) continue;
      throw err;
    }
    for (const doc of rows) {
      if (!doc?.table) continue;
      for (const field of indexedFields(doc).fields) {
        const plan = { schema, table: doc.table, collection: doc._id, field, name: ginIndexName(doc.table, field) };
        (existing.has(`${schema}.${plan.name}`) ? present : missing).push(plan);
      }
    }
  }
  return { missing, present };
}

/**
 * Creates the missing GIN indexes (idempotent; a collection dropped meanwhile is skipped).
 * Returns the names created.
 */
export async function ensureGinIndexes(client: pg.Client): Promise<GinIndexPlan[]> {
  const { missing } = await planGinIndexes(client);
  const created: GinIndexPlan[] = [];
  // One index that cannot be made now must not hold up the rest (collections later in the list).
  let failure: unknown;
  for (const plan of missing) {
    const sql =
      `CREATE INDEX IF NOT EXISTS ${client.escapeIdentifier(plan.name)} ` +
      `ON ${client.escapeIdentifier(plan.schema)}.${client.escapeIdentifier(plan.table)} ` +
      `USING gin ((_jsonb -> ${client.escapeLiteral(plan.field)}) jsonb_path_ops) WITH (fastupdate = off)`;
    try {
      await client.query(sql);
      created.push(plan);
    } catch (err) {
      // 42P01: the table went away (collection dropped) between the plan and now; 55P03: the
      // table is busy (lock_timeout): the next pass tries again. 23505: another client (the
      // engine's own pass, another instance) created the same index at the same moment; IF NOT
      // EXISTS does not cover that race.
      const code = (err as { code?: string }).code;
      if (code !== '42P01' && code !== '55P03' && code !== '23505') failure ??= err;
    }
  }
  await turnOffPendingLists(client);
  if (failure) throw failure;
  return created;
}

/**
 * GIN's "fast update" parks new entries in a pending list that every lookup reads in full until a
 * vacuum folds it in (a manual ANALYZE does not; up to gin_pending_list_limit, 4 MB, per index). On
 * collections written all day (timeline, deliveries) that made every indexed lookup slower the more
 * had been written since the last autovacuum. Our indexes take each entry straight in instead; ones
 * made before that (an older DATA_DIR) are switched over and their pending list folded in, once.
 */
async function turnOffPendingLists(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'i' AND c.relname LIKE $1 AND NOT coalesce(c.reloptions @> ARRAY['fastupdate=off'], false)`,
    [`${GIN_INDEX_PREFIX}%`],
  );
  for (const { schema, name } of rows) {
    const index = `${client.escapeIdentifier(schema)}.${client.escapeIdentifier(name)}`;
    try {
      await client.query(`ALTER INDEX ${index} SET (fastupdate = off)`);
      await client.query('SELECT gin_clean_pending_list($1::regclass)', [index]);
    } catch (err) {
      // Dropped meanwhile, or busy (lock_timeout): the next pass tries again.
      if (!['42P01', '55P03'].includes((err as { code?: string }).code ?? '')) throw err;
    }
  }
}
