// An outreach's audience: listed customers, or a saved segment resolved through the function the
// composition root injects (the CRM's segments; unavailable until they are wired).
import { Types } from 'mongoose';
import { OutreachErrorCode } from '@shared/errors';
import { DomainError } from '../platform/errors';
import type { OutreachDoc } from './model';

/** A segment's customers as hex ids; throws NotFound for an unknown segment. */
export type SegmentResolver = (segmentId: string) => Promise<string[]>;

/** The resolver wired while no segment module is: every segment audience is refused, clearly. */
export const segmentsUnavailable: SegmentResolver = async () => {
  throw new DomainError(OutreachErrorCode.AUDIENCE_UNAVAILABLE, 'Segments are not available on this server yet; choose customers instead.');
};

/** The audience's customer ids: valid, each once, in the order given. */
export async function audienceIds(outreach: Pick<OutreachDoc, 'audience'>, resolveSegment: SegmentResolver): Promise<string[]> {
  const { audience } = outreach;
  const ids = audience.kind === 'segment' ? await resolveSegment(audience.segmentId!) : (audience.customerIds ?? []);
  return [...new Set(ids.filter((id) => Types.ObjectId.isValid(id)).map((id) => id.toLowerCase()))];
}
