import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../test/helpers';
import { createLogger } from './logger';
import { startServer } from '../server';

describe('an instance that is stopping', () => {
  it('finishes the request in flight and answers the next one on that kept-alive connection with a clean 503', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await startServer(
      { ...testConfig(), shutdownTimeoutMs: 10_000 },
      {
        log: createLogger('silent'),
        extendApp: (app) =>
          app.use(async (ctx, next) => {
            if (ctx.path !== '/slow') return next();
            await gate;
            ctx.body = { done: true };
          }),
      },
    );
    try {
      // Two requests on one connection (as a load balancer's pooled connection carries them): the
      // first is running when the stop begins, the second arrives after it.
      const { port } = new URL(server.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (c) => (received += c));
      const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
      await sleep(300);
      const closed = server.close();
      await sleep(100);
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await sleep(300);
      release();
      await ended;
      await closed;
      const answers = received.split(/(?=HTTP\/1\.1 )/);
      expect(answers).toHaveLength(2);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 200/);
      expect(answers[0]).toContain('{"done":true}');
      expect(answers[1]).toMatch(/^HTTP\/1\.1 503/);
      expect(answers[1]).toMatch(/retry-after: 1/i);
      expect(answers[1]).toMatch(/connection: close/i);
      expect(answers[1]).toContain('"code":"SERVICE_UNAVAILABLE"');
    } finally {
      release();
      await server.close();
    }
  });
});
