import type { ContainerPlan } from "../container-config.js";

/**
 * The order containers start in: every `dependsOn` target and `links` target before the
 * container that names it, definition order otherwise. A cycle (which registration should
 * refuse) falls back to definition order for the containers caught in it.
 */
export function startOrder(plans: ContainerPlan[]): ContainerPlan[] {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const out: ContainerPlan[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (p: ContainerPlan) => {
    if (state.get(p.name)) return;
    state.set(p.name, "visiting");
    for (const dep of [...p.dependsOn.map((d) => d.containerName), ...p.linksTo]) {
      const target = byName.get(dep);
      if (target && state.get(dep) !== "visiting") visit(target);
    }
    state.set(p.name, "done");
    out.push(p);
  };
  for (const p of plans) visit(p);
  return out;
}
