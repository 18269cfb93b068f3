import type { Elbv2Deps } from "./deps.js";
import { listIn } from "./deps.js";
import type { ActionDoc, ListenerDoc, RuleDoc } from "./docs.js";

/** The target groups an action forwards to. */
export function forwardedGroups(actions: readonly ActionDoc[]): string[] {
  const out = new Set<string>();
  for (const a of actions) {
    if (a.Type !== "forward") continue;
    if (typeof a.TargetGroupArn === "string") out.add(a.TargetGroupArn);
    const fc = a.ForwardConfig as { TargetGroups?: { TargetGroupArn?: string }[] } | undefined;
    for (const t of fc?.TargetGroups ?? []) if (t.TargetGroupArn) out.add(t.TargetGroupArn);
  }
  return [...out];
}

/** Target group ARN → the load balancers whose listeners or rules forward to it. */
export async function groupUsage(deps: Elbv2Deps, region: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const add = (tg: string, lb: string) => {
    let s = out.get(tg);
    if (!s) out.set(tg, (s = new Set()));
    s.add(lb);
  };
  for (const l of await listIn<ListenerDoc>(deps, "elbv2-listener", region)) for (const tg of forwardedGroups(l.defaultActions)) add(tg, l.loadBalancerArn);
  for (const r of await listIn<RuleDoc>(deps, "elbv2-rule", region)) for (const tg of forwardedGroups(r.actions)) add(tg, r.loadBalancerArn);
  return out;
}
