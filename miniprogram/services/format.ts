/** Times are UTC on the wire and shown in China time (UTC+8, no daylight saving). */
export function formatTime(iso: string): string {
  const shanghai = new Date(Date.parse(iso) + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${shanghai.getUTCFullYear()}-${pad(shanghai.getUTCMonth() + 1)}-${pad(shanghai.getUTCDate())} ${pad(
    shanghai.getUTCHours(),
  )}:${pad(shanghai.getUTCMinutes())}`;
}

/** Member codes are read aloud or typed at the till: groups of four. */
export function groupDigits(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1 ');
}
