import http from 'node:http';
import type Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp, type ModuleSet } from './app';
import type { Config } from './config';
import { connectDatabase, disconnectDatabase, pingDatabase } from './db/connection';
import { startEmbeddedEngine, type EmbeddedEngine } from './db/embeddedEngine';
import { createLogger, type Logger } from './logger';
import { createWechatPlatformFromConfig } from '../wechat/client';
import type { WechatPlatform } from '../wechat/platform';

export interface RunningServer {
  url: string;
  port: number;
  log: Logger;
  /** The embedded engine, when the server started one. */
  engine: EmbeddedEngine | undefined;
  /** The platform client this server's modules use. */
  wechat: WechatPlatform;
  /** Stops accepting, lets in-flight requests finish (bounded), closes the database and the engine. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** The business modules to run (the composition root passes them all). */
  modules: ModuleSet;
  log?: Logger;
  /** Database name used on the embedded engine (MONGODB_URI names its own). */
  databaseName?: string;
  /** Adds middleware to the app before it listens (tests use it for routes with controlled timing). */
  extendApp?: (app: Koa) => void;
}

export async function startServer(config: Config, options: StartOptions): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const started = Date.now();

  const engine = config.mongodbUri
    ? undefined
    : await startEmbeddedEngine({
        dataDir: config.dataDir,
        mongodBin: config.mongodBin,
        ferretdbBin: config.ferretdbBin,
        log,
      });
  const uri = config.mongodbUri ?? `${engine!.uri}/${options.databaseName ?? 'loopline'}`;

  try {
    await connectDatabase(uri);
  } catch (err) {
    await engine?.stop();
    throw err;
  }

  const isDatabaseReady = async () => (engine ? engine.isRunning() : true) && (await pingDatabase());
  // The simulator lives in this server, whose URL is known only once it listens (tests use port 0).
  let ownUrl: string | undefined;
  const wechat = createWechatPlatformFromConfig(config, () => ownUrl);
  const app = createApp({ config, log, isDatabaseReady, wechat }, options.modules);
  options.extendApp?.(app);
  let closing: Promise<void> | undefined;
  const handle = app.callback();
  const server = http.createServer((req, res) => {
    // While stopping, tell keep-alive clients not to reuse the socket, so it drains at once.
    if (closing) res.setHeader('Connection', 'close');
    void handle(req, res);
  });
  // Slow or idle clients must not hold sockets forever.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch(async (err) => {
    await disconnectDatabase();
    await engine?.stop();
    throw err;
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  ownUrl = url;
  const stopJobs = options.modules.startJobs({ config, log, isDatabaseReady, wechat });
  log.info({ url, database: engine ? `embedded ${engine.kind}` : 'MONGODB_URI', ms: Date.now() - started }, 'Loopline is listening');

  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: no new connections, finishing requests in flight');
      // Stop listening at once; jobs wind down (releasing their leases) while requests drain.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const jobsStopped = stopJobs();
      const timedOut = await Promise.race([
        drained.then(() => false),
        sleep(config.shutdownTimeoutMs).then(() => true),
      ]);
      if (timedOut) {
        log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still running after the grace period; closing them');
        server.closeAllConnections();
        await drained;
      }
      await jobsStopped;
      await disconnectDatabase();
      await engine?.stop();
      log.info('stopped');
    })());

  return { url, port, log, engine, wechat, close };
}
