// `npm start` runs this first: a fresh clone gets the mini-program's H5 build before the server starts.
import { buildH5, h5BuildStaleReason } from './h5Build';

const reason = h5BuildStaleReason();
if (reason) {
  process.stdout.write(`Building the mini-program for the browser (${reason}); this takes a minute or two…\n`);
  try {
    await buildH5();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nThe server will start anyway; the mini-program page will ask for a build.\n`);
  }
}
