// The server's Prometheus metrics: one registry per process, scraped at /metrics (see routes.ts).
// Modules count what they do through the counters below; nothing here knows a business module.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
registry.setDefaultLabels({ service: 'loopline' });
collectDefaultMetrics({ register: registry, prefix: 'loopline_' });

export const http = {
  requests: new Counter({
    name: 'loopline_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  }),
  duration: new Histogram({
    name: 'loopline_http_request_duration_seconds',
    help: 'Time from receiving a request to its answer, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  errors: new Counter({
    name: 'loopline_http_errors_total',
    help: 'Requests answered with an error, by route pattern, status class (4xx, 5xx) and error code.',
    labelNames: ['method', 'route', 'class', 'code'] as const,
    registers: [registry],
  }),
};

export const officialAccount = {
  deliveries: new Counter({
    name: 'loopline_oa_deliveries_total',
    help: 'Official-account pushes handled (first attempt of each message), by outcome: in_time, late, failed.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  lateReplies: new Counter({
    name: 'loopline_oa_late_replies_total',
    help: 'Replies that missed the passive-reply deadline and went out as customer-service messages, by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  dedupeHits: new Counter({
    name: 'loopline_oa_dedupe_hits_total',
    help: 'Pushes recognised as a retry or duplicate of a message already taken by some instance.',
    registers: [registry],
  }),
};

export const coupons = {
  claims: new Counter({
    name: 'loopline_coupon_claims_total',
    help: 'Coupons claimed (new coupons issued), by channel.',
    labelNames: ['channel'] as const,
    registers: [registry],
  }),
  soldOuts: new Counter({
    name: 'loopline_coupon_sold_out_total',
    help: 'Claims refused because the campaign was out of stock.',
    registers: [registry],
  }),
  redemptions: new Counter({
    name: 'loopline_coupon_redemptions_total',
    help: 'Coupons redeemed at a till.',
    registers: [registry],
  }),
};

export const jobs = {
  runs: new Counter({
    name: 'loopline_job_runs_total',
    help: 'Passes of periodic jobs run by this instance, by job and outcome (ok, failed).',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  }),
  duration: new Histogram({
    name: 'loopline_job_duration_seconds',
    help: 'Time one pass of a periodic job took, by job.',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  }),
  leaseTakeovers: new Counter({
    name: 'loopline_lease_takeovers_total',
    help: 'Leases this instance took from another holder, by lease and how the previous term ended (expired, released).',
    labelNames: ['lease', 'previous'] as const,
    registers: [registry],
  }),
};

export const database = {
  engineRestarts: new Counter({
    name: 'loopline_engine_restarts_total',
    help: 'Times the embedded database engine died and was restarted by this server.',
    registers: [registry],
  }),
  commands: new Counter({
    name: 'loopline_db_commands_total',
    help: 'Database commands sent (round trips to the engine), by command name and collection.',
    labelNames: ['command', 'collection'] as const,
    registers: [registry],
  }),
  commandDuration: new Histogram({
    name: 'loopline_db_command_duration_seconds',
    help: 'Time from sending a database command to its answer, by command name.',
    labelNames: ['command'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  }),
};

/** Readiness as a gauge: set on each scrape from the same check as /readyz. */
export function registerReadiness(isReady: () => Promise<boolean>): void {
  registry.removeSingleMetric('loopline_ready');
  new Gauge({
    name: 'loopline_ready',
    help: '1 when this instance can serve (its database answers), else 0: the same check as /readyz.',
    registers: [registry],
    async collect() {
      this.set((await isReady().catch(() => false)) ? 1 : 0);
    },
  });
}
