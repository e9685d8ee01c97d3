import type Router from '@koa/router';
import { buildOpenApiDocument } from './document';

const VERSION = '1';

/** `GET /api/v1/openapi.json` on the API router: built once, on the first request. */
export function serveOpenApi(api: Router): void {
  let document: string | undefined;
  api.get('/openapi.json', (ctx) => {
    document ??= JSON.stringify(buildOpenApiDocument(VERSION));
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = document;
  });
}
