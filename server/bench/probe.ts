// What the benchmarks measure besides throughput: how many database commands (engine round trips)
// the server sent, read from its /metrics, and how much CPU the server and the embedded engine
// (FerretDB and PostgreSQL, children of the benchmark's process) used, read from /proc. Together they
// say per request how many round trips it cost and whether the server or the engine was the limit.
import { readdir, readFile } from 'node:fs/promises';

/** A bearer token for /metrics of the servers the benchmarks start (loopback only). */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

/** Database commands sent so far by the server at `url`, by `command collection`. */
export async function commandCounts(url: string): Promise<Map<string, number>> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const counts = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const match = /^loopline_db_commands_total\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    counts.set(`${labels.command} ${labels.collection}`.trim(), Number(match[2]));
  }
  return counts;
}

/** Commands sent between two readings, most frequent first, as `n × command collection` per `per`. */
export function commandsPer(before: Map<string, number>, after: Map<string, number>, per: number): { total: number; lines: string[] } {
  const delta = [...after]
    .map(([key, n]) => [key, n - (before.get(key) ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = delta.reduce((sum, [, n]) => sum + n, 0);
  return {
    total: total / per,
    lines: delta.map(([key, n]) => `${(n / per).toFixed(3).padStart(8)} × ${key}`),
  };
}

const TICKS_PER_S = 100; // USER_HZ on Linux

async function processTable(): Promise<Array<{ pid: number; ppid: number; ticks: number }>> {
  const rows: Array<{ pid: number; ppid: number; ticks: number }> = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length < 15) continue;
    // utime + stime, plus cutime + cstime: children that already ended (PostgreSQL backends) count too.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    rows.push({ pid: Number(name), ppid: Number(fields[1]), ticks });
  }
  return rows;
}

/** CPU seconds used so far by each group: a group is some processes and all their descendants. */
export async function cpuSeconds(groups: Record<string, number[]>): Promise<Record<string, number>> {
  const table = await processTable();
  const children = new Map<number, number[]>();
  for (const row of table) children.set(row.ppid, [...(children.get(row.ppid) ?? []), row.pid]);
  const ticks = new Map(table.map((r) => [r.pid, r.ticks]));
  const out: Record<string, number> = {};
  for (const [name, roots] of Object.entries(groups)) {
    let sum = 0;
    const stack = [...roots];
    while (stack.length) {
      const pid = stack.pop()!;
      sum += ticks.get(pid) ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    out[name] = sum / TICKS_PER_S;
  }
  return out;
}

/** Share of one core each group used between two readings taken `seconds` apart, e.g. `server 0.82`. */
export function cpuShares(before: Record<string, number>, after: Record<string, number>, seconds: number): string {
  return Object.keys(after)
    .map((name) => `${name} ${((after[name]! - (before[name] ?? 0)) / seconds).toFixed(2)}`)
    .join(', ');
}
