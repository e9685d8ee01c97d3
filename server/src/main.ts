// Entry point of `npm start`: configuration, server, and a clean stop on SIGTERM/SIGINT.
import { ConfigError, loadConfig } from './platform/config';
import { EngineUnavailableError } from './platform/db/ferretdbBinary';
import { startServer } from './platform/server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

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

  const stop = (signal: string) => {
    running.log.info({ signal }, 'signal received');
    running.close().then(
      () => process.exit(0),
      (err) => {
        running.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`Loopline failed to start: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
