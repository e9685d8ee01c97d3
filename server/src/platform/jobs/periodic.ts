import type { Logger } from '../logger';
import { INSTANCE_ID, releaseLease, tryAcquireLease } from './lease';

export interface PeriodicJob {
  /** Unique name; also the lease's name. */
  name: string;
  intervalMs: number;
  /** One pass of the job. It must be idempotent: a pass can be cut short and repeated. */
  run: (now: Date) => Promise<void>;
}

/**
 * Runs a job every interval on whichever instance holds its lease. The lease outlives one pass
 * (2 intervals), so a slow pass is not run twice at once, and a dead holder is replaced.
 */
export function startPeriodicJob(job: PeriodicJob, log: Logger, holder = INSTANCE_ID): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      if (!(await tryAcquireLease(`job:${job.name}`, job.intervalMs * 2, holder))) return;
      await job.run(new Date());
    } catch (err) {
      log.error({ err, job: job.name }, 'job pass failed; it runs again next interval');
    }
  };
  const timer = setInterval(() => {
    if (!running) running = tick().finally(() => (running = undefined));
  }, job.intervalMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
    await releaseLease(`job:${job.name}`, holder).catch(() => undefined);
  };
}
