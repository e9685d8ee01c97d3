// Entry point of `npm start`: configuration, server, and a clean stop on SIGTERM/SIGINT.
import mongoose from 'mongoose';
import { loadConfigOrExit, type Config } from './platform/config';
import { EngineUnavailableError } from './platform/db/ferretdbBinary';
import { startServer } from './server';

async function main(): Promise<void> {
  const config = loadConfigOrExit();

  let server;
  try {
    server = await startServer(config);
  } catch (err) {
    if (err instanceof EngineUnavailableError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const running = server;
  process.stdout.write(`Loopline is running at ${running.url}\n`);
  process.stdout.write(`Open the mini-program (H5) in a browser: ${running.url}/\n`);
  await offerDemoBrand(config);

  let stopping = false;
  const stop = (reason: string) => {
    // A second signal (a process-group kill reaches us directly and through a wrapper) must not
    // cut the graceful stop short: it is noted and ignored.
    if (stopping) {
      running.log.info({ reason }, 'already stopping');
      return;
    }
    stopping = true;
    running.log.info({ reason }, 'stopping');
    running.close().then(
      () => process.exit(0),
      (err) => {
        running.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // npm does not pass SIGTERM on to the script it runs: when the process that started us goes
  // away and we are handed to init, stop as if we had been told to.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent process exited');
  }, 1_000).unref();
}

main().catch((err) => {
  process.stderr.write(`Loopline failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});

/** Under the simulator, an empty database is a first try: say how to see the product with a demo brand. */
async function offerDemoBrand(config: Config): Promise<void> {
  if (config.wechatApiBase) return;
  try {
    const db = mongoose.connection.db!;
    const counts = await Promise.all(['customers', 'campaigns'].map((name) => db.collection(name).estimatedDocumentCount()));
    if (counts.some((n) => n > 0)) return;
  } catch {
    return; // an offer, not a check: never in the way of the server
  }
  const dataDir = config.mongodbUri ? '' : `DATA_DIR=${config.dataDir} `;
  process.stdout.write(
    `The database is empty. To see the product with a demo brand (3 stores, 2,000 customers, 90 days of history), ` +
      `stop the server and run:  ${dataDir}npm run demo:seed && npm start\n`,
  );
}
