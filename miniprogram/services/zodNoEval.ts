// Imported first by app.tsx, before any zod schema is built: zod decides at schema creation whether
// to compile object parsers with `new Function` (probing for it). The server's Content-Security-Policy
// has no 'unsafe-eval', nor does the WeChat runtime allow eval: parse without generated code.
import { config } from 'zod';

config({ jitless: true });
