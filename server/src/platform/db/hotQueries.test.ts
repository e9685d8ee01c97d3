// Every lookup a request makes is index-backed: EXPLAIN (through the driver, as the code queries)
// shows no full scan. On the embedded engine that means no PostgreSQL Seq Scan, thanks to the GIN
// indexes the engine keeps beside FerretDB's; on MongoDB (TEST_MONGODB_URI), no COLLSCAN.
import mongoose, { Types } from 'mongoose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDatabaseUri } from '../../../test/helpers';
import { Coupon } from '../../coupons/model';
import { fullScans, HOT_MODELS, hotData, hotQueries as hotQueriesOf, seedHotData } from '../../../test/hotQueries';
// Registers every module's models (the coverage check below walks them all).
import '../../modules';
import { ensureGinIndexes, GIN_INDEX_PREFIX, planGinIndexes, type GinIndexPlan } from './ginIndexes';
import { POSTGRES_ROLE } from './embeddedPostgres';

const N = 3_000;
const data = hotData(N, { customers: 300, campaigns: N, timelinePerCustomer: N / 300, keywordRules: N });
const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 60_000);
/** The hot queries, for the 7th key of the data. */
const hotQueries = Object.fromEntries(Object.entries(hotQueriesOf(data)).map(([name, query]) => [name, () => query(7)]));

const enginePostgres = inject('enginePostgres');

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Promise.all(HOT_MODELS.map((m) => m.init()));
  await seedHotData(data);
  if (enginePostgres) {
    // What the engine does every few seconds, done now; then fresh planner statistics.
    const client = new pg.Client({ host: '127.0.0.1', user: POSTGRES_ROLE, ...enginePostgres });
    await client.connect();
    try {
      await ensureGinIndexes(client);
      await client.query(`ANALYZE`);
    } finally {
      await client.end();
    }
  }
}, 120_000);
afterAll(async () => {
  await mongoose.disconnect();
});

describe('hot queries', () => {
  it('finds its answers through an index on every request path, not a full scan', async () => {
    const scans: Record<string, string[]> = {};
    for (const [name, query] of Object.entries(hotQueries)) {
      const explain = await query().explain('queryPlanner');
      const found = fullScans(explain);
      if (found.length) scans[name] = found;
      // A plan was really read: FerretDB names the PostgreSQL plan, MongoDB the winning plan.
      expect(JSON.stringify(explain)).toMatch(/"Node Type"|winningPlan/);
    }
    expect(scans).toEqual({});
  });

  it('still answers them correctly', async () => {
    expect(await hotQueries['coupon by code']!().lean()).toMatchObject({ code: 'CODE7' });
    expect(((await hotQueries['my coupons']!().lean()) as unknown as unknown[]).length).toBe(N / data.customers.length);
    expect(((await hotQueries['keyword rules']!().lean()) as unknown as unknown[]).length).toBe(N / 100);
  });

  it('shows a full scan when a filter cannot use an index (the check can fail)', async () => {
    const explain = await Coupon.find({ claimedAt: { $gt: at(5) } }).explain('queryPlanner');
    expect(fullScans(explain).length).toBeGreaterThan(0);
  });
});

describe.runIf(enginePostgres)('the embedded engine', () => {
  const withClient = async <T>(use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ host: '127.0.0.1', user: POSTGRES_ROLE, ...enginePostgres! });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  /** The GIN indexes planned for a collection of this test's database, and whether they exist. */
  const ginOf = async (client: pg.Client, collection: string) => {
    const { missing, present } = await planGinIndexes(client);
    const mine = (p: GinIndexPlan) => p.schema === mongoose.connection.db!.databaseName && p.collection === collection;
    return { missing: missing.filter(mine), present: present.filter(mine) };
  };

  it('adds the GIN indexes of a collection created while it runs, by itself', async () => {
    // Digits and other non-letters become '_' in FerretDB's table names: the table is found through
    // FerretDB's metadata, never by the collection's name.
    const name = `late_${new Types.ObjectId().toHexString()}`;
    await mongoose.connection.db!.collection(name).createIndex({ sku: 1 });
    await withClient(async (client) => {
      // The whole suite shares one engine: its pass over every test database can take a while.
      const deadline = Date.now() + 180_000;
      let gin = await ginOf(client, name);
      while ((gin.missing.length || gin.present.length < 2) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        gin = await ginOf(client, name);
      }
      expect(gin.present.map((p) => p.field).sort()).toEqual(['_id', 'sku']);
      const { rows } = await client.query<{ def: string }>(
        'SELECT indexdef AS def FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexname LIKE $3',
        [gin.present[0]!.schema, gin.present[0]!.table, `${GIN_INDEX_PREFIX}%`],
      );
      const defs = rows.map((r) => r.def);
      expect(defs.some((d) => d.includes("'_id'") && d.includes('jsonb_path_ops'))).toBe(true);
      expect(defs.some((d) => d.includes("'sku'") && d.includes('jsonb_path_ops'))).toBe(true);
      // No pending list: every lookup would read it whole until a vacuum folds it in.
      expect(defs.every((d) => d.includes('fastupdate=off'))).toBe(true);
    });
  }, 240_000);

  it('switches a GIN index made with a pending list (an older data directory) to direct entry', async () => {
    const name = `oldgin_${new Types.ObjectId().toHexString()}`;
    await mongoose.connection.db!.collection(name).createIndex({ sku: 1 });
    await mongoose.connection.db!.collection(name).insertMany(Array.from({ length: 50 }, (_, i) => ({ sku: `s${i}` })));
    await withClient(async (client) => {
      await ensureGinIndexes(client);
      const [sku] = (await ginOf(client, name)).present.filter((p) => p.field === 'sku');
      expect(sku).toBeDefined();
      const index = `${client.escapeIdentifier(sku!.schema)}.${client.escapeIdentifier(sku!.name)}`;
      // As an earlier version made them: GIN's default, fastupdate on.
      await client.query(`ALTER INDEX ${index} SET (fastupdate = on)`);
      await mongoose.connection.db!.collection(name).insertMany(Array.from({ length: 50 }, (_, i) => ({ sku: `t${i}` })));
      await ensureGinIndexes(client);
      const { rows } = await client.query<{ options: string[] | null }>(
        'SELECT c.reloptions AS options FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2',
        [sku!.schema, sku!.name],
      );
      expect(rows[0]?.options).toContain('fastupdate=off');
      const found = await mongoose.connection.db!.collection(name).find({ sku: 't7' }).toArray();
      expect(found).toHaveLength(1);
    });
  }, 120_000);

  it("covers every top-level field of every index that any module's model declares", async () => {
    // Every model the server registers (modules.ts imports every module), whatever module added it.
    const models = mongoose.modelNames().map((n) => mongoose.model(n));
    expect(models.length).toBeGreaterThan(30);
    await Promise.all(models.map((m) => m.init()));
    const uncovered: string[] = [];
    await withClient(async (client) => {
      await ensureGinIndexes(client);
      for (const model of models) {
        const collection = model.collection.collectionName;
        const fields = new Set(['_id']);
        for (const [keys] of model.schema.indexes()) {
          for (const key of Object.keys(keys)) if (!key.includes('.')) fields.add(key);
        }
        const gin = await ginOf(client, collection);
        const indexed = new Set(gin.present.map((p) => p.field));
        for (const field of fields) if (!indexed.has(field)) uncovered.push(`${collection}.${field}`);
      }
    });
    expect(uncovered).toEqual([]);
  }, 120_000);
});
