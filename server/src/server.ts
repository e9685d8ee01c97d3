// The composition root's server: the platform's server with every business module wired in.
import { MODULES } from './modules';
import { startServer as startPlatformServer, type RunningServer, type StartOptions } from './platform/server';

export type { RunningServer };

export function startServer(
  config: Parameters<typeof startPlatformServer>[0],
  options: Omit<StartOptions, 'modules'> = {},
): Promise<RunningServer> {
  return startPlatformServer(config, { ...options, modules: MODULES });
}
