import { conflict, notFound } from '../platform/errors';
import { ErrorCode } from '@shared/errors';

/** The CRM module's domain errors (mapped to HTTP statuses only at the edge). */
export const segmentNotFound = () => notFound('No such segment.');
export const tagNotFound = () => notFound('No such tag.');
export const customerNotFound = () => notFound('No such customer.');
export const tagNameTaken = () => conflict(ErrorCode.CONFLICT, 'A tag with this name exists already.');
export const tooManySyncedTags = (max: number) =>
  conflict(ErrorCode.LIMIT_REACHED, `At most ${max} tags can be synced to the official account (a follower carries at most 20).`);
export const autoTagIsRuleKept = () => conflict(ErrorCode.CONFLICT, 'This tag is kept by its rule; staff cannot set or remove it by hand.');
