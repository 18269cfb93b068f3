/** Parses a duration like "500ms", "3600s", "90m", "24h", "7d" (or a bare number of seconds) into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new Error(`'${text}' is not a duration: use e.g. 3600s, 90m, 24h or 7d`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h" | "d"];
  return Math.round(Number(m[1]) * unit);
}
