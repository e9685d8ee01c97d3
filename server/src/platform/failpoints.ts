// Named crash points for crash-safety tests: a process started with LOOPLINE_FAILPOINTS=<name>[,<name>…]
// kills itself (SIGKILL: no cleanup, no response) when it reaches that point, the way a power cut
// or an OOM kill would. Unset in normal operation, where every call is a no-op.

const armed = new Set(
  (process.env.LOOPLINE_FAILPOINTS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export function failpoint(name: string): void {
  if (armed.size > 0 && armed.has(name)) process.kill(process.pid, 'SIGKILL');
}
