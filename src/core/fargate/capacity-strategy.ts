import { invalidParameter } from "../errors.js";

/** One item of a capacity provider strategy (ECS's CapacityProviderStrategyItem). */
export interface StrategyItem {
  capacityProvider: string;
  base?: number;
  weight?: number;
}

/** Fargate's two capacity providers, available on every cluster. */
export const FARGATE_PROVIDERS: ReadonlySet<string> = new Set(["FARGATE", "FARGATE_SPOT"]);

/**
 * ECS's checks of a strategy: at most 20 items (6 for RunTask/services in practice, the model
 * allows 20), each provider once, only one item with a base, at least one weight above zero.
 */
export function validateStrategy(strategy: readonly StrategyItem[]): void {
  if (strategy.length === 0) return;
  const seen = new Set<string>();
  for (const s of strategy) {
    if (seen.has(s.capacityProvider)) {
      throw invalidParameter(`The capacity provider strategy contains a duplicate capacity provider: ${s.capacityProvider}.`);
    }
    seen.add(s.capacityProvider);
  }
  if (strategy.filter((s) => (s.base ?? 0) > 0).length > 1) {
    throw invalidParameter("Only one capacity provider in a capacity provider strategy can have a base defined.");
  }
  if (!strategy.some((s) => (s.weight ?? 0) > 0)) {
    throw invalidParameter("At least one capacity provider in a capacity provider strategy must have a weight greater than zero.");
  }
}

/**
 * Which provider each of `count` new tasks goes to, given how many live tasks each provider
 * already holds (`existing`, for services): the base first (the one provider with a base is
 * filled up to it), then by weight — each next task goes to the provider whose share beyond its
 * base, counting that task, is the smallest relative to its weight (ties: the larger weight,
 * then strategy order). So `FARGATE base=1 weight=1, FARGATE_SPOT weight=3` runs 4 tasks as
 * 1 FARGATE + 3 FARGATE_SPOT, and a service keeps that split as it scales and heals.
 */
export function distributeTasks(
  strategy: readonly StrategyItem[],
  count: number,
  existing: Readonly<Record<string, number>> = {},
): string[] {
  const items = strategy.map((s, order) => ({
    name: s.capacityProvider,
    base: s.base ?? 0,
    weight: s.weight ?? 0,
    order,
    count: existing[s.capacityProvider] ?? 0,
  }));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const underBase = items.find((it) => it.count < it.base);
    let pick = underBase;
    if (!pick) {
      const weighted = items.filter((it) => it.weight > 0);
      if (weighted.length === 0) break;
      const score = (it: (typeof items)[number]) => (it.count - it.base + 1) / it.weight;
      pick = weighted.reduce((best, it) => {
        const a = score(it), b = score(best);
        if (a !== b) return a < b ? it : best;
        if (it.weight !== best.weight) return it.weight > best.weight ? it : best;
        return it.order < best.order ? it : best;
      });
    }
    pick.count++;
    out.push(pick.name);
  }
  return out;
}
