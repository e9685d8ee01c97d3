import { spawn, type ChildProcess } from 'node:child_process';

export interface Target {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a TypeScript entry point in its own Node process (so a load generator and the server under
 * test do not share an event loop) and waits for it to print its URL.
 */
export function spawnServer(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyPattern: RegExp,
  timeoutMs = 60_000,
): Promise<Target> {
  // BENCH_CPU_PROF_DIR: each started process writes a CPU profile there when it exits.
  const profile = env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not start within ${timeoutMs} ms: ${seen}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = readyPattern.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], child, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready: ${seen}`));
    });
  });
}
