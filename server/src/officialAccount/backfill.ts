// `npm run oa:backfill`: walks every follower of the official account (user/get) and syncs their
// profiles 100 at a time (user/info/batchget), printing progress. Safe to run again: each sync
// simply writes the platform's current view.
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '../platform/config';
import { startServer } from '../server';
import type { WechatPlatform } from '../wechat/platform';
import { syncProfiles } from './profileSync';

export interface BackfillProgress {
  synced: number;
  total: number;
}

export async function backfillFollowers(
  wechat: WechatPlatform,
  onProgress: (progress: BackfillProgress) => void = () => undefined,
): Promise<BackfillProgress> {
  const progress: BackfillProgress = { synced: 0, total: 0 };
  let nextOpenid: string | undefined;
  for (;;) {
    const page = await wechat.officialAccount.getFollowers(nextOpenid);
    progress.total = page.total;
    for (let i = 0; i < page.openids.length; i += 100) {
      progress.synced += await syncProfiles(wechat, page.openids.slice(i, i + 100));
      onProgress({ ...progress });
    }
    if (page.openids.length === 0 || !page.nextOpenid) break;
    nextOpenid = page.nextOpenid;
  }
  return progress;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // A private server on a free loopback port: it owns the database connection and, without an app
  // secret, serves the built-in simulator this run talks to.
  const server = await startServer({ ...config, port: 0, host: '127.0.0.1', logLevel: 'warn' });
  try {
    const started = Date.now();
    const done = await backfillFollowers(server.wechat, ({ synced, total }) => {
      process.stdout.write(`synced ${synced} of ${total} followers\n`);
    });
    process.stdout.write(`done: ${done.synced} follower profiles synced in ${Date.now() - started} ms\n`);
  } finally {
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Exit as soon as the work is done: idle keep-alive sockets to the platform would hold the process open.
  main()
    .then(() => process.exit(0))
    .catch((err) => {
      process.stderr.write(`backfill failed: ${(err as Error).message ?? err}\n`);
      process.exit(1);
    });
}
