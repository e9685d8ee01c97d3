// Child processes of the embedded engine: each in its own process group, stopped with a grace period
// and then killed with its whole group (a frozen process ignores everything but SIGKILL).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger';

export interface Supervised {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited (for whatever reason). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isAlive(): boolean;
  /** Sends `signal`, waits up to graceMs, then SIGKILLs the process group. Never hangs. */
  stop(signal: NodeJS.Signals, graceMs: number): Promise<void>;
  /** SIGKILLs the whole process group at once (what a crash looks like). */
  kill(): Promise<void>;
}

export function startProcess(
  name: string,
  bin: string,
  args: string[],
  options: Pick<SpawnOptions, 'env' | 'uid' | 'gid' | 'cwd'>,
  log: Logger,
  /** Output lines that are expected and not worth a log line. */
  quiet?: RegExp,
): Supervised {
  // Its own process group: a signal meant for the server's group (Ctrl-C, a supervisor) must not
  // reach the engine directly; the server stops it after the requests in flight are done.
  const proc = spawn(bin, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  forwardOutput(name, proc, log, quiet);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', () => resolve({ code: null, signal: null }));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const pid = proc.pid ?? -1;
  const killGroup = () => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  return {
    name,
    proc,
    pid,
    exited,
    isAlive: () => !gone && pid > 0,
    async stop(signal, graceMs) {
      if (gone || pid <= 0) return;
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
      const inTime = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      killGroup(); // also whatever children it left behind
      if (!inTime) await Promise.race([exited, sleep(2_000)]);
    },
    async kill() {
      if (gone || pid <= 0) return;
      killGroup();
      await Promise.race([exited, sleep(2_000)]);
    },
  };
}

function forwardOutput(name: string, proc: ChildProcess, log: Logger, quiet?: RegExp): void {
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() && !quiet?.test(line)) log.warn({ engine: name, engineOutput: line.slice(0, 500) }, 'database engine');
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs a process left behind by an earlier run, with its group, and waits (up to 5 s) until it is gone. */
export async function killLeftover(pid: number): Promise<void> {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
}
