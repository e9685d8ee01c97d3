// Serves the H5 build of the mini-program at `/`. Mounted after every API route and never answers
// under the server's own prefixes, so a file in the build can't shadow an endpoint.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';
import serve from 'koa-static';
import { packageRoot } from '../paths';

/** Where `npm run build:h5` writes its output. */
export const H5_BUILD_DIR = path.join(packageRoot(), 'dist', 'h5');

const RESERVED_PREFIXES = ['/api', '/wechat', '/__wechat', '/healthz', '/readyz', '/metrics'];

function isReserved(requestPath: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => requestPath === prefix || requestPath.startsWith(`${prefix}/`));
}

export function serveMiniProgramH5(dir: string = H5_BUILD_DIR): Middleware {
  const files = serve(dir, {
    index: 'index.html',
    gzip: false,
    brotli: false,
    hidden: false,
    setHeaders(res, filePath) {
      // index.html names the current hashed bundles: always revalidate it. The bundles themselves
      // carry a content hash in their name and never change.
      const relative = path.relative(dir, filePath).split(path.sep).join('/');
      if (/^(js|css|static)\//.test(relative)) {
        res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      } else {
        res.setHeader('Cache-Control', 'no-cache');
      }
    },
  });

  return async (ctx, next) => {
    if (isReserved(ctx.path)) return next();
    if (ctx.path === '/' && !existsSync(path.join(dir, 'index.html'))) {
      if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = 'The mini-program H5 build is missing: run `npm run build:h5` (npm start does it for you).\n';
      return;
    }
    return files(ctx, next);
  };
}
