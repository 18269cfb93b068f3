import type { WriteOp } from "../../store/store.js";
import { policyId, type AasDeps } from "./deps.js";
import type { PolicyDoc } from "./docs.js";

export const policyDeleteOp = (p: PolicyDoc): WriteOp => ({ op: "delete", kind: "aas-policy", id: policyId(p) });

/** Deletes the CloudWatch alarms a policy owns (target tracking's High/Low). */
export async function deletePolicyAlarms(deps: AasDeps, p: PolicyDoc): Promise<void> {
  if (!p.Alarms.length || !deps.alarms) return;
  await deps.alarms.deleteAlarms(p.accountId, p.region, p.Alarms.map((a) => a.AlarmName));
}
