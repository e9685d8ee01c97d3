import type { OutreachProgress, OutreachView, RecipientView } from '@shared/api/outreach';
import type { OutreachDeliveryDoc, OutreachDoc } from './model';

export function outreachView(o: OutreachDoc, progress: OutreachProgress): OutreachView {
  return {
    id: String(o._id),
    name: o.name,
    text: o.text,
    audience:
      o.audience.kind === 'segment'
        ? { kind: 'segment', segmentId: o.audience.segmentId ?? '' }
        : { kind: 'customers', count: o.total ?? o.audience.customerIds?.length ?? 0 },
    status: o.status,
    createdAt: o.createdAt.toISOString(),
    startedAt: o.startedAt?.toISOString() ?? null,
    finishedAt: o.finishedAt?.toISOString() ?? null,
    progress,
  };
}

export function recipientView(d: OutreachDeliveryDoc): RecipientView {
  return {
    customerId: String(d.customerId),
    status: d.status,
    channel: d.channel ?? null,
    reason: d.reason ?? null,
    errcode: d.errcode ?? null,
    at: d.at.toISOString(),
  };
}
