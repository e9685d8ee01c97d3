// Requests to the real server from a chosen loopback address (127.x.y.z), as different clients
// would come from different addresses; the server sees the address of the socket.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { expect } from 'vitest';
import { DEVICE_HEADER } from '@shared/engagement';
import { decodeBody, encodeRequest, type RequestOptions, type TestResponse } from './helpers';

// One connection per request: a kept-alive socket reused just as the server closes it for idleness
// (keepAliveTimeout, 5 s) ends in "socket hang up", and the tests pause longer than that between phases.
const agents = new Map<string, http.Agent>();
const agentFor = (address: string) => {
  let agent = agents.get(address);
  if (!agent) agents.set(address, (agent = new http.Agent({ keepAlive: false, maxSockets: 8, localAddress: address })));
  return agent;
};

export function requestFrom(
  baseUrl: string,
  address: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<TestResponse> {
  const { headers, body } = encodeRequest(options);
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request(baseUrl + path, { method, agent: agentFor(address), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: h, body: decodeBody(text), text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Closes the keep-alive sockets of every address used. */
export function closeAddressAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** Runs `work` over `items` with at most `limit` at once; results in order. */
export async function inParallel<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}

/** Someone signed in from one address with one device id (the mini-program's header). */
export interface ClientPerson {
  token: string;
  customerId: string;
  address: string;
  device: string;
}

export async function signInFrom(
  baseUrl: string,
  openid: string,
  address: string,
  device = randomBytes(12).toString('hex'),
): Promise<ClientPerson> {
  const res = await requestFrom(baseUrl, address, 'POST', '/api/v1/auth/login', {
    body: { code: `test:${openid}` },
    headers: { [DEVICE_HEADER]: device },
  });
  expect(res.status, res.text).toBe(200);
  return { token: res.body.token, customerId: res.body.customer.id, address, device };
}

/** A request as that person: from their address, with their token and device id. */
export const callFrom = (baseUrl: string, p: ClientPerson, method: string, path: string, body?: unknown) =>
  requestFrom(baseUrl, p.address, method, path, {
    token: p.token,
    headers: { [DEVICE_HEADER]: p.device },
    ...(body === undefined ? {} : { body }),
  });
