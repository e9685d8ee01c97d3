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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'loopline' } },
    destination,
  );
}
