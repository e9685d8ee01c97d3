import http from 'node:http';
import type Koa from 'koa';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@shared/errors';
import { createApp, type ModuleSet } from './app';
import type { Config } from './config';
import { connectDatabase, databaseAnswersReads, disconnectDatabase } from './db/connection';
import { startEmbeddedEngine, type EmbeddedEngine } from './db/embeddedEngine';
import { pendingSqliteDatabases } from './db/sqliteMigration';
import { createLogger, type Logger } from './logger';
import { registerReadiness } from './metrics';
import { startMetricsServer, type MetricsServer } from './metrics/http';
import { createWechatPlatformFromConfig } from '../wechat/client';
import type { WechatPlatform } from '../wechat/platform';

export interface RunningServer {
  url: string;
  port: number;
  log: Logger;
  /** The internal metrics listener's URL, when METRICS_PORT is set. */
  metricsUrl: string | undefined;
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

  if (config.mongodbUri && (await pendingSqliteDatabases(config.dataDir)).length) {
    log.warn(
      { dataDir: config.dataDir },
      'DATA_DIR holds data of the earlier SQLite-based embedded engine; run `npm run db:migrate` to copy it to MONGODB_URI',
    );
  }
  const engine = config.mongodbUri
    ? undefined
    : await startEmbeddedEngine({
        dataDir: config.dataDir,
        ferretdbBin: config.ferretdbBin,
        log,
      });
  const uri = config.mongodbUri ?? `${engine!.uri}/${options.databaseName ?? 'loopline'}`;

  try {
    await connectDatabase(uri, { embedded: Boolean(engine) });
  } catch (err) {
    await engine?.stop();
    throw err;
  }

  // Ready = a real read answered in time (a wedged engine can still answer ping).
  const isDatabaseReady = async () => (engine ? engine.isRunning() : true) && (await databaseAnswersReads());
  // The simulator lives in this server, whose URL is known only once it listens (tests use port 0).
  let ownUrl: string | undefined;
  const wechat = createWechatPlatformFromConfig(config, () => ownUrl);
  // While the supervisor restarts a stalled or crashed engine, requests fail fast (503) instead of waiting.
  const isDatabaseDown = engine ? () => !engine.isRunning() : () => false;
  registerReadiness(isDatabaseReady);
  const app = createApp({ config, log, isDatabaseReady, isDatabaseDown, wechat }, options.modules);
  options.extendApp?.(app);
  let closing: Promise<void> | undefined;
  const handle = app.callback();
  /** Connections that have carried a request: a later request on one is a keep-alive reuse. */
  const reused = new WeakSet<object>();
  const server = http.createServer((req, res) => {
    if (closing && reused.has(req.socket)) {
      // A request on a kept-alive connection that reaches a stopping instance gets a clean 503 that
      // a client or load balancer retries elsewhere. Requests already running, and the first
      // request of a connection accepted before the stop, are served.
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', connection: 'close' });
      res.end(JSON.stringify({ error: { code: ErrorCode.SERVICE_UNAVAILABLE, message: 'This instance is stopping; please retry.' } }));
      return;
    }
    reused.add(req.socket);
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
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer({ ...config.metrics, port: config.metrics.port }).catch(async (err) => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await disconnectDatabase();
      await engine?.stop();
      throw err;
    });
  }
  const stopJobs = options.modules.startJobs({ config, log, isDatabaseReady, wechat });
  log.info(
    { url, metricsUrl: metricsServer?.url, database: engine ? `embedded ${engine.kind}` : 'MONGODB_URI', ms: Date.now() - started },
    'Loopline is listening',
  );

  const close = () =>
    (closing ??= (async () => {
      log.info('shutting down: no new connections, finishing requests in flight');
      // Stop listening at once; jobs wind down (releasing their leases) while requests drain.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const jobsStopped = stopJobs();
      const timedOut = await Promise.race([drained.then(() => false), sleep(config.shutdownTimeoutMs).then(() => true)]);
      if (timedOut) {
        log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still running after the grace period; closing them');
        server.closeAllConnections();
        await drained;
      }
      // Jobs stuck in a frozen engine must not hold the stop: the engine's stop ends their queries.
      await Promise.race([jobsStopped, sleep(1_000)]);
      await metricsServer?.close();
      await disconnectDatabase(1_000);
      await engine?.stop();
      log.info('stopped');
    })());

  return { url, port, log, metricsUrl: metricsServer?.url, engine, wechat, close };
}
