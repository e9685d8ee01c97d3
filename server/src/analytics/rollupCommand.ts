// `npm run analytics:rollup`: rolls up every closed day now, without waiting for the periodic job
// (after an import, or to check the figures). Safe beside running servers: days are insert-only.
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '../platform/config';
import { connectDatabase, disconnectDatabase } from '../platform/db/connection';
import { rollHours } from './live';
import { runRollups } from './rollup';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.mongodbUri) throw new Error('Set MONGODB_URI to the database to roll up (a running server prints it).');
  await connectDatabase(config.mongodbUri);
  try {
    const started = Date.now();
    const now = new Date();
    const result = await runRollups(now);
    const hours = await rollHours(now);
    process.stdout.write(
      `rolled up ${result.rolled.length} day(s)${result.rolled.length ? ` (${result.rolled[0]} … ${result.rolled.at(-1)})` : ''}, ` +
        `${result.skipped.length} already written, in ${Date.now() - started} ms` +
        (result.read === 'days'
          ? ', from the saved state (read only the days after it)'
          : result.read === 'timeline'
            ? ', reading the whole timeline'
            : '') +
        `; ${hours.length} hour(s) of today rolled up\n`,
    );
  } finally {
    await disconnectDatabase();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main()
    .then(() => process.exit(0))
    .catch((err) => {
      process.stderr.write(`rollup failed: ${(err as Error).message ?? err}\n`);
      process.exit(1);
    });
}
