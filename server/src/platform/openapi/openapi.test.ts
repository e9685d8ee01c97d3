import type Koa from 'koa';
import type Router from '@koa/router';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from '../../../test/helpers';
import { createWechatPlatformFromConfig } from '../../wechat/client';
import { MODULES } from '../../modules';
import { createApp } from '../app';
import { createLogger } from '../logger';
import { API_PREFIX, API_ROUTES, openApiPath } from './document';

/** Every route the real app registers: walks the routers mounted on it (API, uploads, OA, simulator). */
function registeredRoutes(app: Koa): Array<{ method: string; path: string }> {
  const found = new Map<string, { method: string; path: string }>();
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue;
        const key = `${method} ${String(layer.path)}`;
        found.set(key, { method, path: String(layer.path) });
      }
    }
  }
  return [...found.values()];
}

let app: TestApp;
let doc: any;
beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'openapi-admin' });
  const res = await app.request('GET', '/api/v1/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  doc = res.body;
});
afterAll(async () => {
  await app?.close();
});

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document with the error shape and bearer auth', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Loopline API');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas.Error.properties.error.required).toEqual(expect.arrayContaining(['code', 'message']));
    // Generated from the shared zod schemas: the claim limits and the campaign types come through.
    const create = doc.paths['/api/v1/admin/campaigns'].post.requestBody.content['application/json'].schema;
    expect(create.properties.type.enum).toEqual(['cash', 'discount', 'gift']);
    expect(create.required).toEqual(expect.arrayContaining(['name', 'type', 'stock', 'perUserLimit', 'validity']));
  });

  it('describes every /api/v1 route the server registers, and nothing it does not', () => {
    const config = testConfig();
    const koa = createApp(
      {
        config,
        log: createLogger('silent'),
        isDatabaseReady: async () => true,
        wechat: createWechatPlatformFromConfig(config, () => undefined),
      },
      MODULES,
    );
    const registered = registeredRoutes(koa)
      .filter((r) => r.path.startsWith(`${API_PREFIX}/`))
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`)
      .sort();
    const described = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .sort();
    expect(registered.length).toBeGreaterThan(40);
    expect(described).toEqual(registered);
  });

  it('states, for each route, its success and error answers, and auth where it is needed', () => {
    for (const route of API_ROUTES) {
      const op = doc.paths[API_PREFIX + openApiPath(route.path)][route.method];
      expect(op.responses[String(route.success.status)], `${route.method} ${route.path}`).toBeDefined();
      expect(op.responses['503']).toBeDefined();
      if (route.access === 'public') expect(op.security).toBeUndefined();
      else expect(op.security).toEqual([{ bearer: [] }]);
      for (const name of route.path.match(/:([A-Za-z0-9_]+)/g) ?? []) {
        expect(op.parameters.some((p: any) => p.in === 'path' && p.name === name.slice(1))).toBe(true);
      }
    }
  });

  it('every JSON body has an example that its zod schema accepts and the published JSON Schema validates', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const withBody = API_ROUTES.filter((r) => r.body);
    expect(withBody.length).toBeGreaterThan(20);
    for (const route of withBody) {
      const where = `${route.method} ${route.path}`;
      expect(route.example, where).toBeDefined();
      const parsed = route.body!.safeParse(route.example);
      expect(parsed.success, `${where}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      const media = doc.paths[API_PREFIX + openApiPath(route.path)][route.method].requestBody.content['application/json'];
      expect(media.example, where).toEqual(route.example);
      const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"doc#/components/'));
      const validate = ajv.compile(schema);
      expect(validate(route.example), `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
  });

  it('the published schemas refuse what the API refuses', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const login = doc.paths['/api/v1/auth/login'].post.requestBody.content['application/json'].schema;
    const validate = ajv.compile(JSON.parse(JSON.stringify(login).replaceAll('"#/components/', '"doc#/components/')));
    expect(validate({ code: 'abc' })).toBe(true);
    expect(validate({})).toBe(false);
    expect(validate({ code: 42 })).toBe(false);
  });

  it('the examples are accepted by the real server, and its answers match the described responses', async () => {
    const admin = await app.request('POST', '/api/v1/auth/login', { body: { code: 'test:openapi-admin' } });
    expect(API_ROUTES.find((r) => r.path === '/auth/login')!.success.schema!.safeParse(admin.body).success).toBe(true);
    for (const path of ['/admin/stores', '/admin/campaigns', '/admin/keyword-rules']) {
      const route = API_ROUTES.find((r) => r.method === 'post' && r.path === path)!;
      const res = await app.request('POST', API_PREFIX + path, { token: admin.body.token, body: route.example });
      expect(res.status, `${path}: ${res.text}`).toBe(route.success.status);
      expect(route.success.schema!.safeParse(res.body).success, path).toBe(true);
    }
    const me = await app.request('GET', '/api/v1/me', { token: admin.body.token });
    expect(API_ROUTES.find((r) => r.path === '/me')!.success.schema!.safeParse(me.body).success).toBe(true);
  });
});
