/** True for a MongoDB duplicate-key error: how unique indexes tell us "someone else got there first". */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number })?.code === 11000;
}
