/** True for a MongoDB duplicate-key error: how unique indexes tell us "someone else got there first". */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; codeName?: string; message?: string } | undefined;
  if (e?.code === 11000) return true;
  // The embedded engine can report a unique index violated by an update (findAndModify) as an
  // InternalError carrying PostgreSQL's constraint message instead of code 11000.
  return e?.codeName === 'InternalError' && /duplicate key value violates unique constraint|\(23505\)/.test(e.message ?? '');
}
