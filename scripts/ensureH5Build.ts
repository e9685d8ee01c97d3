// `npm start` runs this first: a fresh clone gets the mini-program's H5 build before the server starts.
import { buildStaleReason, taroBuild } from './taroBuild';

const reason = buildStaleReason('h5');
if (reason) {
  process.stdout.write(`Building the mini-program for the browser (${reason}); this takes a minute or two…\n`);
  try {
    await taroBuild('h5');
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nThe server will start anyway; the mini-program page will ask for a build.\n`);
  }
}
