/** duration: Go/Flux duration strings (`5m`, `1h30m`, `10s`, `500ms`) as milliseconds. */

/** parseDuration reads Go/Flux durations like `5m`, `1h30m`, `10s`, `500ms`. */
export function parseDuration(s: string | undefined, fallbackMs: number): number {
  if (!s) return fallbackMs;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    consumed += m[0].length;
  }
  return consumed === s.length && total > 0 ? total : fallbackMs;
}
