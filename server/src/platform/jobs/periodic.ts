import type { Logger } from '../logger';
import { jobs as jobMetrics } from '../metrics';
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
    } catch (err) {
      log.error({ err, job: job.name }, 'job lease check failed; it is tried again next interval');
      return;
    }
    const stopTimer = jobMetrics.duration.startTimer({ job: job.name });
    try {
      await job.run(new Date());
      jobMetrics.runs.inc({ job: job.name, outcome: 'ok' });
    } catch (err) {
      jobMetrics.runs.inc({ job: job.name, outcome: 'failed' });
      log.error({ err, job: job.name }, 'job pass failed; it runs again next interval');
    } finally {
      stopTimer();
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
