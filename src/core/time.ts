/** Wall-clock source, injectable so pure code and tests stay deterministic. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
/** Timestamps in resource documents are epoch seconds (fractions allowed), as awsJson sends them. */
export const epochSeconds = (ms: number): number => Math.round(ms) / 1000;
