/**
 * FARGATE_SPOT interruptions: which Spot tasks Wharf reclaims, on demand (a task list or a share
 * of the Spot tasks) or, opt-in, at a random rate for chaos tests. Pure: randomness is given.
 */

/** What an interrupted task shows, as on ECS. */
export const SPOT_INTERRUPTION = { stopCode: "SpotInterruption", stoppedReason: "Your Spot Task was interrupted." } as const;

export interface SpotCandidate {
  taskArn: string;
  capacityProviderName?: string;
  lastStatus: string;
  desiredStatus: string;
}

/** A live task running on FARGATE_SPOT (one an interruption can reach). */
export const isLiveSpot = (t: SpotCandidate): boolean =>
  t.capacityProviderName === "FARGATE_SPOT" && t.desiredStatus !== "STOPPED" && t.lastStatus !== "STOPPED";

/**
 * `share` (0–1) of the live Spot tasks, rounded to the nearest task (at least one when the share
 * is above zero and there is one), chosen uniformly at random.
 */
export function chooseShare(tasks: readonly SpotCandidate[], share: number, random: () => number): string[] {
  const live = tasks.filter(isLiveSpot).map((t) => t.taskArn);
  const n = share <= 0 ? 0 : Math.min(live.length, Math.max(1, Math.round(share * live.length)));
  for (let i = live.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [live[i], live[j]] = [live[j]!, live[i]!];
  }
  return live.slice(0, n);
}

/**
 * Chaos mode: each live Spot task is interrupted within an interval of `intervalMs` with the
 * probability a Poisson process of `perHour` interruptions per task-hour gives.
 */
export function chaosDraw(tasks: readonly SpotCandidate[], perHour: number, intervalMs: number, random: () => number): string[] {
  const p = 1 - Math.exp(-(perHour * intervalMs) / 3_600_000);
  return tasks.filter((t) => isLiveSpot(t) && random() < p).map((t) => t.taskArn);
}
