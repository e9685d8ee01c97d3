// npm run complaints:train: folds every staff label into a new complaint model now, stores it and
// makes it the model in use on every instance (each picks it up within 30 s). The same job runs on
// its own every 10 minutes on one instance when there are new labels.
import { pathToFileURL } from 'node:url';
import { loadConfigOrExit } from '../../platform/config';
import { startServer } from '../../server';
import { retrainComplaintModel } from './retrain';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // A private server on a free loopback port: it owns the database connection (and the embedded engine).
  const server = await startServer({ ...config, port: 0, host: '127.0.0.1', logLevel: 'warn' });
  try {
    const started = Date.now();
    const result = await retrainComplaintModel({ force: true });
    process.stdout.write(
      `complaint model ${result.version} in use: trained on the corpus's training split and ${result.staffLabels} staff labels in ${Date.now() - started} ms` +
        (result.strongThreshold !== undefined
          ? `; strong threshold ${result.strongThreshold} (cross-validation precision ${result.crossValidation?.precision}, recall ${result.crossValidation?.recall})\n`
          : '\n'),
    );
  } finally {
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main()
    .then(() => process.exit(0))
    .catch((err) => {
      process.stderr.write(`complaints:train failed: ${(err as Error).message ?? err}\n`);
      process.exit(1);
    });
}
