import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('has working defaults and uses the simulator when no secret is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.mongodbUri).toBeUndefined();
    expect(config.useWechatSimulator).toBe(true);
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('names the variable and what is wrong', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([expect.stringMatching(/^PORT must be a number/)]);
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT must be between 0 and 65535/);
    expect(problemsOf({ LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL must be one of/);
    expect(problemsOf({ MONGODB_URI: 'postgres://x' })[0]).toMatch(/^MONGODB_URI must start with mongodb:\/\//);
    expect(problemsOf({ OA_AES_KEY: 'short' })[0]).toMatch(/^OA_AES_KEY must be 43 letters and digits/);
    expect(problemsOf({ WECHAT_API_BASE: 'not a url' })[0]).toMatch(/^WECHAT_API_BASE must be an http\(s\) URL/);
  });

  it('reports every problem at once', () => {
    expect(problemsOf({ PORT: '-1', LOG_LEVEL: 'x', SESSION_SECRET: 'short' })).toHaveLength(3);
  });

  it('never echoes a secret back', () => {
    const [problem] = problemsOf({ SESSION_SECRET: 'tooshort-secret-value' });
    expect(problem).toMatch(/^SESSION_SECRET must be at least 32 characters$/);
    expect(problem).not.toContain('tooshort');
  });

  it('checks settings that go together', () => {
    expect(problemsOf({ OA_AES_KEY_PREVIOUS: 'a'.repeat(43) })[0]).toMatch(/OA_AES_KEY_PREVIOUS needs OA_AES_KEY/);
    expect(problemsOf({ OA_APPSECRET: 's' })[0]).toMatch(/^OA_APPID is required/);
  });

  it('talks to the real platform once a secret or an API base is set', () => {
    expect(
      loadConfig({ OA_APPID: 'wx1', OA_APPSECRET: 's', OA_TOKEN: 'realtoken1', SESSION_SECRET: 'x'.repeat(32) }).useWechatSimulator,
    ).toBe(false);
    expect(loadConfig({ WECHAT_API_BASE: 'http://127.0.0.1:9' }).useWechatSimulator).toBe(false);
  });

  it('splits ADMIN_OPENIDS', () => {
    expect(loadConfig({ ADMIN_OPENIDS: ' a, b ,,c' }).adminOpenids).toEqual(['a', 'b', 'c']);
  });

  it('refuses the published demo token and a missing session secret once real secrets are set', () => {
    const real = { OA_APPID: 'wx_real_oa', OA_APPSECRET: 'a-real-app-secret' };
    // No OA_TOKEN: the server would run with the README's demo token, so anyone could sign pushes.
    expect(problemsOf({ ...real, SESSION_SECRET: 'x'.repeat(32) })).toEqual(['OA_TOKEN is required when an app secret is set']);
    const demo = problemsOf({ ...real, OA_TOKEN: 'looplinedemo', SESSION_SECRET: 'x'.repeat(32) });
    expect(demo).toEqual(['OA_TOKEN must not be the demo value when an app secret is set']);
    expect(problemsOf({ ...real, OA_TOKEN: 'realtoken1' })).toEqual(['SESSION_SECRET is required when an app secret is set']);
    // The mini-program's secret counts as a real secret too.
    expect(problemsOf({ MP_APPID: 'wx_real_mp', MP_APPSECRET: 'another-secret' })).toHaveLength(2);
    expect(loadConfig({ ...real, OA_TOKEN: 'realtoken1', SESSION_SECRET: 'x'.repeat(32) }).officialAccount.token).toBe('realtoken1');
    // Against the simulator the demo token stays the convenient default.
    expect(loadConfig({}).officialAccount.token).toBe('looplinedemo');
  });

  it('makes the accepted push mode explicit: safe by default once a key is set', () => {
    const key = 'a'.repeat(43);
    expect(loadConfig({ OA_AES_KEY: key }).officialAccount.messageMode).toBe('safe');
    expect(loadConfig({}).officialAccount.messageMode).toBe('plain');
    expect(loadConfig({ OA_AES_KEY: key, OA_MESSAGE_MODE: 'compatible' }).officialAccount.messageMode).toBe('compatible');
    expect(problemsOf({ OA_MESSAGE_MODE: 'safe' })).toEqual([expect.stringMatching(/^OA_MESSAGE_MODE safe needs OA_AES_KEY/)]);
    expect(problemsOf({ OA_MESSAGE_MODE: 'aes' })[0]).toMatch(/^OA_MESSAGE_MODE must be safe, compatible or plain/);
  });

  it('reads the proxy hop count, the simulator flag and the points cap', () => {
    expect(loadConfig({}).trustProxy).toBe(0);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(problemsOf({ TRUST_PROXY: 'yes' })[0]).toMatch(/^TRUST_PROXY must be a number of proxy hops/);
    expect(loadConfig({}).simulatorPublic).toBe(false);
    expect(loadConfig({ WECHAT_SIMULATOR_PUBLIC: 'true' }).simulatorPublic).toBe(true);
    expect(loadConfig({}).pointsAdjustCap).toBe(500);
    expect(loadConfig({}).officialAccount.timestampWindowS).toBe(300);
  });
});
