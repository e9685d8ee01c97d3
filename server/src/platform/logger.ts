import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

export type { Logger };

// Headers and fields that must never reach a log line.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.token',
  '*.sessionKey',
  '*.session_key',
  '*.secret',
  '*.appSecret',
  '*.access_token',
];

/**
 * What every log line written on behalf of a request carries, whichever logger writes it: the
 * request's own, a module's, or work the request left running (a late reply, a background send).
 */
export const logContext = new AsyncLocalStorage<{ requestId: string }>();

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { service: 'loopline' },
      mixin: () => logContext.getStore() ?? {},
    },
    destination,
  );
}
