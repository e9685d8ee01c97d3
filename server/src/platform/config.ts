import path from 'node:path';
import { z } from 'zod';

// Every setting comes from the environment and is checked here, once, at start.
// A bad value stops the start with a message naming the variable.

const optionalString = z
  .string()
  .transform((v) => v.trim())
  .pipe(z.string())
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const aesKey = optionalString.refine((v) => v === undefined || /^[A-Za-z0-9]{43}$/.test(v), {
  message: 'must be 43 letters and digits (the EncodingAESKey shown by the platform)',
});

/** The Token the README's demo uses: fine against the simulator, never with a real account. */
export const DEMO_OA_TOKEN = 'looplinedemo';

const flag = z
  .enum(['true', 'false', '1', '0', ''], { error: 'must be true or false' })
  .optional()
  .transform((v) => v === 'true' || v === '1');

const envSchema = z
  .object({
    PORT: port.default(3000),
    HOST: optionalString.default('127.0.0.1'),
    DATA_DIR: optionalString.default('.data'),
    MONGODB_URI: optionalString.refine((v) => v === undefined || /^mongodb(\+srv)?:\/\/.+/.test(v), {
      message: 'must start with mongodb:// or mongodb+srv://',
    }),
    FERRETDB_BIN: optionalString,
    OA_APPID: optionalString,
    OA_APPSECRET: optionalString,
    OA_TOKEN: optionalString.refine((v) => v === undefined || /^[A-Za-z0-9]{3,32}$/.test(v), {
      message: 'must be 3 to 32 letters and digits',
    }),
    OA_AES_KEY: aesKey,
    OA_AES_KEY_PREVIOUS: aesKey,
    OA_REPLY_DEADLINE_MS: z.coerce.number().int().min(1).max(4_500).default(4_000),
    OA_MESSAGE_MODE: z.enum(['safe', 'compatible', 'plain'], { error: 'must be safe, compatible or plain' }).optional(),
    OA_TIMESTAMP_WINDOW_S: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(30).max(3_600).default(300),
    TRUST_PROXY: z.coerce.number({ error: 'must be a number of proxy hops' }).int('must be a whole number').min(0).max(10).default(0),
    WECHAT_SIMULATOR_PUBLIC: flag,
    POINTS_ADJUST_CAP: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1).max(1_000_000).default(500),
    MP_APPID: optionalString,
    MP_APPSECRET: optionalString,
    WECHAT_API_BASE: optionalString.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
      message: 'must be an http(s) URL',
    }),
    SESSION_SECRET: optionalString.refine((v) => v === undefined || v.length >= 32, {
      message: 'must be at least 32 characters',
    }),
    ADMIN_OPENIDS: optionalString,
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'must be one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
    METRICS_TOKEN: optionalString.refine((v) => v === undefined || /^[\x21-\x7e]{16,256}$/.test(v), {
      message: 'must be 16 to 256 printable characters without spaces',
    }),
    METRICS_PORT: port.optional(),
    METRICS_HOST: optionalString.default('127.0.0.1'),
    JOB_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(200)
      .max(24 * 3600_000)
      .optional(),
    OUTREACH_WEEKLY_CAP: z.coerce.number().int().min(0).max(50).default(2),
    OUTREACH_SEND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  })
  .superRefine((env, ctx) => {
    if (env.OA_AES_KEY_PREVIOUS && !env.OA_AES_KEY) {
      ctx.addIssue({ code: 'custom', path: ['OA_AES_KEY_PREVIOUS'], message: 'needs OA_AES_KEY as well' });
    }
    if (env.OA_APPSECRET && !env.OA_APPID) {
      ctx.addIssue({ code: 'custom', path: ['OA_APPID'], message: 'is required when OA_APPSECRET is set' });
    }
    if (env.MP_APPSECRET && !env.MP_APPID) {
      ctx.addIssue({ code: 'custom', path: ['MP_APPID'], message: 'is required when MP_APPSECRET is set' });
    }
    if (env.OA_MESSAGE_MODE === 'safe' && !env.OA_AES_KEY) {
      ctx.addIssue({ code: 'custom', path: ['OA_MESSAGE_MODE'], message: 'safe needs OA_AES_KEY' });
    }
    // With a real account, anyone who read the README could sign pushes with the demo token, and
    // codes signed with a generated secret would change meaning with the database.
    if (env.OA_APPSECRET || env.MP_APPSECRET) {
      if (!env.OA_TOKEN) {
        ctx.addIssue({ code: 'custom', path: ['OA_TOKEN'], message: 'is required when an app secret is set' });
      } else if (env.OA_TOKEN === DEMO_OA_TOKEN) {
        ctx.addIssue({ code: 'custom', path: ['OA_TOKEN'], message: 'must not be the demo value when an app secret is set' });
      }
      if (!env.SESSION_SECRET) {
        ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required when an app secret is set' });
      }
    }
  });

/** The admin of the simulator's demo accounts (the mini-program's H5 sign-in lists it). */
export const DEMO_ADMIN_OPENID = 'demo-admin';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  mongodbUri: string | undefined;
  ferretdbBin: string | undefined;
  officialAccount: {
    appId: string;
    appSecret: string | undefined;
    token: string;
    aesKey: string | undefined;
    aesKeyPrevious: string | undefined;
    /** How long a push handler may run before the endpoint answers `success` and replies later. */
    replyDeadlineMs: number;
    /** Which pushes are accepted: safe (encrypted only), compatible (either), plain (plaintext only). */
    messageMode: 'safe' | 'compatible' | 'plain';
    /** A push's timestamp may be this far from our clock, either way. */
    timestampWindowS: number;
  };
  miniProgram: { appId: string; appSecret: string | undefined };
  /** Base URL of the WeChat platform API; undefined means the built-in simulator. */
  wechatApiBase: string | undefined;
  useWechatSimulator: boolean;
  sessionSecret: string | undefined;
  adminOpenids: string[];
  /** How many reverse proxies in front of us append to X-Forwarded-For (0: use the socket address). */
  trustProxy: number;
  /** Whether the simulator answers clients other than loopback ones. */
  simulatorPublic: boolean;
  /** A manager's points adjustment above this many points (either way) waits for an admin's approval. */
  pointsAdjustCap: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  shutdownTimeoutMs: number;
  /** /metrics: bearer token on the main port, and/or a separate internal listener. */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  /** Runs every periodic job at this interval instead of its own (tests, demos); unset in production. */
  jobIntervalMs: number | undefined;
  /** Outreach: marketing messages a customer may get per week (Monday 00:00 Asia/Shanghai), and sends in flight per sender. */
  outreach: { weeklyCap: number; sendConcurrency: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.') || '(environment)';
        const given = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
        // Never echo secrets back; other values help the operator spot a typo.
        const shown = given === undefined || /SECRET|KEY|TOKEN|URI/.test(name) ? '' : ` (got "${given}")`;
        return `${name} ${issue.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const hasSecrets = Boolean(e.OA_APPSECRET || e.MP_APPSECRET);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    mongodbUri: e.MONGODB_URI,
    ferretdbBin: e.FERRETDB_BIN,
    officialAccount: {
      appId: e.OA_APPID ?? 'wx_loopline_oa_demo',
      appSecret: e.OA_APPSECRET,
      token: e.OA_TOKEN ?? DEMO_OA_TOKEN,
      aesKey: e.OA_AES_KEY,
      aesKeyPrevious: e.OA_AES_KEY_PREVIOUS,
      replyDeadlineMs: e.OA_REPLY_DEADLINE_MS,
      messageMode: e.OA_MESSAGE_MODE ?? (e.OA_AES_KEY ? 'safe' : 'plain'),
      timestampWindowS: e.OA_TIMESTAMP_WINDOW_S,
    },
    miniProgram: { appId: e.MP_APPID ?? 'wx_loopline_mp_demo', appSecret: e.MP_APPSECRET },
    wechatApiBase: e.WECHAT_API_BASE,
    useWechatSimulator: !e.WECHAT_API_BASE && !hasSecrets,
    sessionSecret: e.SESSION_SECRET,
    // Against the built-in simulator (no secrets, no platform URL) the demo admin of the H5 sign-in
    // screen is an admin unless ADMIN_OPENIDS says otherwise; with the real platform nobody is by default.
    adminOpenids: (e.ADMIN_OPENIDS ?? (!e.WECHAT_API_BASE && !hasSecrets ? DEMO_ADMIN_OPENID : ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    trustProxy: e.TRUST_PROXY,
    simulatorPublic: e.WECHAT_SIMULATOR_PUBLIC,
    pointsAdjustCap: e.POINTS_ADJUST_CAP,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
    jobIntervalMs: e.JOB_INTERVAL_MS,
    outreach: { weeklyCap: e.OUTREACH_WEEKLY_CAP, sendConcurrency: e.OUTREACH_SEND_CONCURRENCY },
  };
}

/** For command-line entry points: the configuration, or its problems on stderr and exit code 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
