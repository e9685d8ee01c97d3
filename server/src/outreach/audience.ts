// An outreach's audience: listed customers, or a saved segment resolved through the function the
// composition root injects (the CRM's saved segments).
import { Types } from 'mongoose';
import type { OutreachDoc } from './model';

/** A segment's customers as hex ids; throws NotFound for an unknown segment. */
export type SegmentResolver = (segmentId: string) => Promise<string[]>;

/** The audience's customer ids: valid, each once, in the order given. */
export async function audienceIds(outreach: Pick<OutreachDoc, 'audience'>, resolveSegment: SegmentResolver): Promise<string[]> {
  const { audience } = outreach;
  const ids = audience.kind === 'segment' ? await resolveSegment(audience.segmentId!) : (audience.customerIds ?? []);
  return [...new Set(ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => id.toLowerCase()))];
}
