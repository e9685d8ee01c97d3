// Presenters: one pure function per resource, typed by the shared response schemas.
import type { AutoTagRule, SegmentCondition, SegmentView, TagView } from '@shared/api/crm';
import type { TimelineDoc } from '../customers';
import type { SegmentDoc, TagDoc } from './model';

export const tagView = (tag: TagDoc, count: number): TagView => ({
  id: tag._id.toString(),
  name: tag.name,
  kind: tag.kind as TagView['kind'],
  rule: (tag.rule as AutoTagRule | undefined) ?? null,
  syncToOfficialAccount: Boolean(tag.syncToOfficialAccount),
  oaTagId: tag.oaTagId ?? null,
  syncError: tag.syncError ?? null,
  count,
});

export const segmentView = (segment: SegmentDoc): SegmentView => ({
  id: segment._id.toString(),
  name: segment.name,
  builtIn: segment.builtIn ?? null,
  conditions: segment.conditions as SegmentCondition[],
  createdAt: segment.createdAt.toISOString(),
});

export const timelineItemView = (e: TimelineDoc) => ({
  id: e._id.toString(),
  at: e.at.toISOString(),
  type: e.type,
  channel: e.channel,
  summary: e.summary ?? '',
  storeId: e.storeId?.toString() ?? null,
});
