// The deployment files cannot run here (no container engine): they are checked by construction.
// compose.yaml parses and wires a three-member replica set, two instances and a proxy; the
// Dockerfile is multi-stage, non-root, health-checked on /readyz, and builds with the same npm
// scripts the repository runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../src/platform/config';
import { packageRoot } from '../src/platform/paths';

const root = packageRoot();
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as any;
  const services = compose.services as Record<string, any>;

  it('runs a three-member MongoDB replica set on an internal network, initiated once', () => {
    const members = ['mongo1', 'mongo2', 'mongo3'];
    for (const name of members) {
      expect(services[name].command).toEqual(expect.arrayContaining(['mongod', '--replSet', 'rs0']));
      expect(services[name].networks).toEqual(['data']);
      expect(services[name].volumes[0]).toMatch(new RegExp(`^${name}:/data/db$`));
      expect(compose.volumes).toHaveProperty(name);
    }
    expect(compose.networks.data.internal).toBe(true);
    const init = services['mongo-init'];
    expect(Object.keys(init.depends_on).sort()).toEqual(members);
    const script = init.command.join(' ');
    for (const name of members) expect(script).toContain(`host: '${name}:27017'`);
    expect(script).toContain("_id: 'rs0'");
    // Serving members are not published to the host.
    for (const name of members) expect(services[name].ports).toBeUndefined();
  });

  it('runs two Loopline instances from the Dockerfile on the replica set, behind the proxy', () => {
    const instances = ['loopline1', 'loopline2'];
    for (const name of instances) {
      const s = services[name];
      expect(s.build).toBe('.');
      // A seed list (several hosts) is no WHATWG URL: split it by hand.
      const uri = /^mongodb:\/\/([^/]+)\/([A-Za-z0-9_]+)\?(.+)$/.exec(s.environment.MONGODB_URI)!;
      expect(uri, s.environment.MONGODB_URI).not.toBeNull();
      expect(uri[1]!.split(',')).toEqual(['mongo1:27017', 'mongo2:27017', 'mongo3:27017']);
      expect(new URLSearchParams(uri[3]).get('replicaSet')).toBe('rs0');
      expect(new URLSearchParams(uri[3]).get('w')).toBe('majority');
      expect(s.environment.HOST).toBe('0.0.0.0');
      expect(s.environment.METRICS_PORT).toMatch(/^\d+$/);
      expect(s.ports).toBeUndefined(); // reached through the proxy only
      expect(s.depends_on['mongo-init'].condition).toBe('service_completed_successfully');
      expect(s.networks).toEqual(expect.arrayContaining(['data', 'web']));
    }
    const proxy = services.proxy;
    expect(Object.keys(proxy.depends_on).sort()).toEqual(instances);
    for (const name of instances) expect(proxy.depends_on[name].condition).toBe('service_healthy');
    expect(proxy.networks).toEqual(['web']);
    const conf = read(proxy.volumes[0].split(':')[0]);
    for (const name of instances) expect(conf).toMatch(new RegExp(`server ${name}:3000`));
    expect(conf).toMatch(/proxy_next_upstream error timeout http_503;/);
    expect(conf).toMatch(/X-Request-Id/);
    expect(conf).toMatch(/location = \/metrics \{\s*return 404;/);
  });

  it('sets only variables the server knows, with values its configuration accepts', () => {
    const known = read('server/src/platform/config.ts');
    for (const name of Object.keys(services.loopline1.environment)) expect(known).toContain(`${name}:`);
    const config = loadConfig(services.loopline1.environment);
    expect(config.mongodbUri).toBe(services.loopline1.environment.MONGODB_URI);
    expect(config.metrics).toEqual({ token: undefined, port: 9464, host: '0.0.0.0' });
  });
});

describe('Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = lines.filter((l) => l.startsWith('FROM '));
  const last = lines.slice(lines.lastIndexOf(stages.at(-1)!));

  it('is multi-stage and its last stage runs as the unprivileged node user with a /readyz health check', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(stages.every((s) => / AS [a-z]+$/.test(s))).toBe(true);
    expect(last.find((l) => l.startsWith('USER '))).toBe('USER node');
    expect(last.some((l) => l.startsWith('RUN '))).toBe(false); // nothing built or installed in the image itself
    const health = last.find((l) => l.startsWith('HEALTHCHECK '))!;
    expect(health).toContain('/readyz');
    expect(last.find((l) => l.startsWith('ENV '))).toContain('HOST=0.0.0.0');
  });

  it('builds with the npm scripts the repository runs, and starts the way start:prod does', () => {
    const runs = lines
      .filter((l) => l.startsWith('RUN '))
      .flatMap((l) =>
        l
          .slice(4)
          .split('&&')
          .map((c) => c.trim()),
      );
    expect(runs).toEqual([
      'npm ci',
      'npm run build:server',
      'npm run build:h5',
      'npm ci --omit=dev --ignore-scripts',
      'npm cache clean --force',
    ]);
    for (const run of runs) {
      const script = /^npm run (\S+)$/.exec(run)?.[1];
      if (script) expect(pkg.scripts[script], run).toBeDefined();
    }
    const cmd = JSON.parse(last.find((l) => l.startsWith('CMD '))!.slice(4)) as string[];
    expect(cmd.join(' ')).toBe(pkg.scripts['start:prod']);
    // What the image copies is what start:prod needs: the build, the H5 bundle, package.json, production modules.
    const copies = last.filter((l) => l.startsWith('COPY '));
    expect(copies.join('\n')).toMatch(/\/app\/dist\/server/);
    expect(copies.join('\n')).toMatch(/\/app\/dist\/h5/);
    expect(copies.join('\n')).toMatch(/--from=deps .*node_modules/);
  });

  it('keeps build tools out of the runtime dependencies', () => {
    for (const tool of ['tsx', 'typescript', 'esbuild', 'vitest', '@tarojs/cli', 'react'])
      expect(pkg.dependencies[tool], tool).toBeUndefined();
  });
});
