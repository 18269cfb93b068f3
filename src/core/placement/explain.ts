import type { ClusterIndex } from "./cluster-index.js";
import { firstRejection, type Plan } from "./plan.js";
import type { Explanation, InstanceVerdict } from "./types.js";

/**
 * The verdict on every instance for the request's first task, taken before anything is placed:
 * rejected instances with the first filter that refused them and by how much, eligible ones
 * with their scores (one per strategy, lower is better) in rank order. `finish` moves the
 * instance the draw actually chose to rank 1 among its exact ties.
 */
export function explainPlan(plan: Plan, index: ClusterIndex): { finish(chosenArn?: string): Explanation } {
  const eligible: InstanceVerdict[] = [];
  const rejected: InstanceVerdict[] = [];
  for (const s of index.slots()) {
    const base: InstanceVerdict = { arn: index.arn[s]!, verdict: "eligible" };
    const ec2 = index.ec2InstanceId[s];
    if (ec2 !== undefined) base.ec2InstanceId = ec2;
    const f = firstRejection(plan, index, s);
    if (f) rejected.push({ ...base, verdict: "rejected", reason: f.reason, detail: f.detail(index, s) });
    else eligible.push({ ...base, scores: plan.scores.map((score) => score(s)) });
  }
  return {
    finish(chosenArn) {
      eligible.sort((a, b) => compareScores(a.scores!, b.scores!) || (a.arn === chosenArn ? -1 : b.arn === chosenArn ? 1 : 0));
      eligible.forEach((v, i) => (v.rank = i + 1));
      return { strategy: plan.labels, instances: [...eligible, ...rejected] };
    },
  };
}

export const compareScores = (a: number[], b: number[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};
