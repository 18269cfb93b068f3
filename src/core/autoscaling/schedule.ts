/*
 * Scheduled actions' schedules, pure: `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` and
 * `cron(minutes hours day-of-month month day-of-week year)` (EventBridge's six fields), the `at`
 * and `cron` forms read in an IANA time zone (default UTC). `nextRun(schedule, after)` answers the
 * first run strictly after `after` (ms since epoch).
 *
 * cron fields take `*`, numbers, ranges `a-b`, lists `a,b`, steps `a/n` and `*\/n`, month names
 * JAN–DEC, day names SUN–SAT (day-of-week 1 = Sunday … 7 = Saturday, as EventBridge), `?` in
 * day-of-month or day-of-week (one of them must be `?`), and `L` (last day of the month) in
 * day-of-month. `W` and `#` are refused. A local time that does not exist (a DST gap) is skipped; one
 * that occurs twice runs at its first occurrence.
 */

export type Schedule =
  | { kind: "at"; local: LocalTime; timezone: string }
  | { kind: "rate"; everyMs: number }
  | { kind: "cron"; cron: CronSpec; timezone: string };

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface CronSpec {
  minutes: number[];
  hours: number[];
  /** Days of the month (1–31), or "L", or undefined when `?` (day-of-week decides). */
  days?: number[] | "L";
  months: number[];
  /** Days of the week 1 (Sunday) – 7, or undefined when `?`. */
  weekdays?: number[];
  /** Years, or undefined for every year. */
  years?: number[];
}

export class ScheduleError extends Error {}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** Whether the zone is one Intl knows (IANA names such as `Europe/Paris`, `Etc/GMT+9`, `UTC`). */
export function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function parseSchedule(text: string, timezone = "UTC"): Schedule {
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (at) {
    const [y, mo, d, h, mi, s] = at.slice(1).map(Number) as [number, number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) throw new ScheduleError(`Invalid at expression: ${text}`);
    return { kind: "at", local: { year: y, month: mo, day: d, hour: h, minute: mi, second: s }, timezone };
  }
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(text);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!;
    if (n < 1 || (n === 1) !== !unit.endsWith("s")) throw new ScheduleError(`Invalid rate expression: ${text}`);
    return { kind: "rate", everyMs: n * UNIT_MS[unit]! };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) return { kind: "cron", cron: parseCron(cron[1]!.trim()), timezone };
  throw new ScheduleError(`Unsupported schedule expression: ${text}`);
}

function field(text: string, lo: number, hi: number, names?: string[], nameBase = 1): number[] {
  const out = new Set<number>();
  const value = (v: string): number => {
    const i = names?.indexOf(v.toUpperCase()) ?? -1;
    const n = i >= 0 ? i + nameBase : /^\d+$/.test(v) ? Number(v) : NaN;
    if (!(n >= lo && n <= hi)) throw new ScheduleError(`Invalid cron field value: ${v}`);
    return n;
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/") as [string, string | undefined];
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : NaN;
    if (!Number.isFinite(step)) throw new ScheduleError(`Invalid cron step: ${part}`);
    let a: number;
    let b: number;
    if (range === "*") [a, b] = [lo, hi];
    else if (range.includes("-")) {
      const [x, y] = range.split("-") as [string, string];
      [a, b] = [value(x), value(y)];
      if (a > b) throw new ScheduleError(`Invalid cron range: ${range}`);
    } else {
      a = value(range);
      b = stepText === undefined ? a : hi;
    }
    for (let n = a; n <= b; n += step) out.add(n);
  }
  return [...out].sort((x, y) => x - y);
}

export function parseCron(text: string): CronSpec {
  const parts = text.split(/\s+/);
  if (parts.length !== 6) throw new ScheduleError(`Invalid cron expression: cron(${text}) must have 6 fields`);
  const [mi, h, dom, mo, dow, yr] = parts as [string, string, string, string, string, string];
  if (/[W#]/.test(dom + dow)) throw new ScheduleError(`Unsupported cron expression: cron(${text}) (W and # are not supported)`);
  if ((dom === "?") === (dow === "?")) throw new ScheduleError(`Invalid cron expression: cron(${text}) (exactly one of day-of-month and day-of-week must be ?)`);
  return {
    minutes: field(mi, 0, 59),
    hours: field(h, 0, 23),
    ...(dom === "?" ? {} : { days: dom === "L" ? ("L" as const) : field(dom, 1, 31) }),
    months: field(mo, 1, 12, MONTHS),
    ...(dow === "?" ? {} : { weekdays: field(dow, 1, 7, DAYS) }),
    ...(yr === "*" ? {} : { years: field(yr, 1970, 2199) }),
  };
}

export const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(ms: number, tz: string): LocalTime {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
  return { year: Number(p.year), month: Number(p.month), day: Number(p.day), hour: Number(p.hour), minute: Number(p.minute), second: Number(p.second) };
}

const wallMs = (t: LocalTime): number => Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);

/**
 * The instant a wall-clock time in `tz` names: the first one when it occurs twice (DST fall back),
 * undefined when it does not occur (DST spring forward).
 */
export function instantOf(t: LocalTime, tz: string): number | undefined {
  const wall = wallMs(t);
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) {
    const offset = wallMs(partsIn(probe, tz)) - probe;
    candidates.add(wall - offset);
  }
  const hits = [...candidates].filter((u) => wallMs(partsIn(u, tz)) === wall).sort((a, b) => a - b);
  return hits[0];
}

const MAX_YEARS = 30;

/** The first run strictly after `after` (ms); undefined when there is none (an `at` past, a cron with no more years). `anchor` is where a rate counts from. */
export function nextRun(s: Schedule, after: number, anchor = after): number | undefined {
  if (s.kind === "rate") {
    if (after < anchor) return anchor + s.everyMs;
    return anchor + (Math.floor((after - anchor) / s.everyMs) + 1) * s.everyMs;
  }
  if (s.kind === "at") {
    const at = instantOf(s.local, s.timezone);
    return at !== undefined && at > after ? at : undefined;
  }
  const c = s.cron;
  const start = partsIn(after, s.timezone);
  for (let y = start.year; y <= start.year + MAX_YEARS; y++) {
    if (c.years && !c.years.includes(y)) continue;
    for (const mo of c.months) {
      if (y === start.year && mo < start.month) continue;
      const last = daysIn(y, mo);
      for (let d = 1; d <= last; d++) {
        if (y === start.year && mo === start.month && d < start.day) continue;
        if (!dayMatches(c, y, mo, d, last)) continue;
        for (const h of c.hours) {
          for (const mi of c.minutes) {
            const at = instantOf({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }, s.timezone);
            if (at !== undefined && at > after) return at;
          }
        }
      }
    }
  }
  return undefined;
}

function dayMatches(c: CronSpec, y: number, mo: number, d: number, last: number): boolean {
  if (c.days === "L") return d === last;
  if (c.days) return c.days.includes(d);
  const dow = new Date(Date.UTC(y, mo - 1, d)).getUTCDay() + 1;
  return c.weekdays!.includes(dow);
}

/** Every run in (from, to], oldest first, at most `limit` (a scheduler that slept runs the last one only, as AWS does not replay). */
export function runsBetween(s: Schedule, from: number, to: number, anchor: number, limit = 1000): number[] {
  const out: number[] = [];
  let t = from;
  while (out.length < limit) {
    const n = nextRun(s, t, anchor);
    if (n === undefined || n > to) break;
    out.push(n);
    t = n;
  }
  return out;
}
