// `npm run db:build`: builds (or finds) the embedded engine ahead of time and prints its path.
import { ensureFerretdb } from './ferretdbBinary';

const started = Date.now();
try {
  const bin = await ensureFerretdb({ explicitBin: process.env.FERRETDB_BIN || undefined });
  console.log(`FerretDB ready at ${bin} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
