// The embedded engine never wedges and comes back by itself: the deadlock's recipe (many concurrent
// multi-batch reads plus writes) keeps being answered, and an engine killed mid-traffic recovers
// with every acknowledged write still there.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { httpRequest, testConfig } from '../../../test/helpers';
import { createLogger } from '../logger';
import { startServer, type RunningServer } from '../../server';
import { FIRST_BATCH_SIZE } from './connection';
import { FERRETDB_BACKEND_POOL } from './embeddedEngine';

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.close();
});

describe('the embedded engine under the deadlock recipe and a crash', () => {
  it('answers many concurrent multi-batch reads plus writes, then survives a kill with no acknowledged write lost', async () => {
    expect(inject('ferretdbBin')).toBeTruthy();
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopline-supervision-'));
    server = await startServer({ ...testConfig(), mongodbUri: undefined, dataDir }, { log: createLogger('silent') });
    const db = mongoose.connection.db!;
    const many = db.collection('many');
    // Far more than a default first batch (101): each find below would leave a cursor open.
    await many.insertMany(Array.from({ length: 600 }, (_, i) => ({ i, pad: 'x'.repeat(50) })));

    // More concurrent readers than FerretDB has backend connections, with writes mixed in: the
    // shape that wedged the engine when every reader held a cursor open across round trips.
    const readers = Array.from({ length: FERRETDB_BACKEND_POOL * 3 }, async () => (await many.find({}).toArray()).length);
    const writers = Array.from({ length: 200 }, (_, i) => many.insertOne({ w: i }).then(() => 1));
    const [counts] = await Promise.all([Promise.all(readers), Promise.all(writers)]);
    expect(counts.every((n) => n >= 600)).toBe(true);
    expect(FIRST_BATCH_SIZE).toBeGreaterThan(600);
    expect((await httpRequest(server.url, 'GET', '/readyz')).status).toBe(200);
    // Answered by the same engine: no restart was needed to get through it.
    expect(server.engine!.restarts()).toBe(0);

    // Writes flow; the engine is killed in the middle; writers retry until it is back.
    const acknowledged: number[] = [];
    let stop = false;
    const sawUnavailable = { http: false };
    const writer = async (lane: number) => {
      for (let n = 0; !stop; n++) {
        const key = lane * 1_000_000 + n;
        try {
          await db.collection('acked').insertOne({ _id: key as never });
          acknowledged.push(key);
        } catch {
          await sleep(50); // not acknowledged: it may or may not have landed
        }
      }
    };
    const lanes = Array.from({ length: 8 }, (_, lane) => writer(lane));
    await sleep(1_000);
    const before = acknowledged.length;
    await server.engine!.crashForTest();
    // While it restarts, requests fail fast with 503 in the error shape instead of hanging.
    for (let i = 0; i < 20 && !sawUnavailable.http; i++) {
      const res = await httpRequest(server.url, 'GET', '/api/v1/campaigns');
      if (res.status === 503) {
        expect(res.body).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE' } });
        sawUnavailable.http = true;
      }
      await sleep(50);
    }
    const deadline = Date.now() + 60_000;
    while ((await httpRequest(server.url, 'GET', '/readyz')).status !== 200 && Date.now() < deadline) await sleep(200);
    const afterRestart = acknowledged.length;
    while (acknowledged.length < afterRestart + 50 && Date.now() < deadline) await sleep(100);
    stop = true;
    await Promise.all(lanes);

    expect(sawUnavailable.http).toBe(true);
    expect(server.engine!.restarts()).toBeGreaterThanOrEqual(1);
    expect(before).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(afterRestart);
    const stored = new Set(
      (
        await db
          .collection('acked')
          .find({}, { projection: { _id: 1 } })
          .toArray()
      ).map((d) => d._id as unknown as number),
    );
    const lost = acknowledged.filter((key) => !stored.has(key));
    expect(lost).toEqual([]);
  }, 300_000);
});
