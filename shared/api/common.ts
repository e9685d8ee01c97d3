import { z } from 'zod';

/** A MongoDB ObjectId as the API shows it. */
export const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'must be a 24-character hex id');

/** An ISO-8601 UTC timestamp as the API sends it. */
export const isoDate = z.string();

/** Cursor paging: pass `nextCursor` back as `cursor` to read the next page. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(100).optional(),
});
export type PageQuery = z.infer<typeof pageQuery>;

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
