import { portView, type ServiceDoc } from "../records/service-doc.js";
import type { Store, WriteOp } from "../store/store.js";

/**
 * Turns committed store writes into service-controller work: a task of group `service:NAME`
 * changed → that service; an instance registered, drained or deregistered → every service of
 * its cluster (DAEMON services gain or lose a task; REPLICA services replace tasks); a target
 * group's targets or their health changed → every service whose `loadBalancers` (an EXTERNAL service's: its task sets') name it
 * (registrations, health verdicts and drains move its deployment on); a CloudWatch alarm written
 * (kind `cw-alarm`: its state changed, or it was created or deleted) → every service of its account
 * and Region whose enabled deployment alarms name it.
 */
export function serviceTriggers(store: Store, enqueue: (serviceArn: string) => void) {
  return (ops: readonly WriteOp[]): void => {
    const clusters = new Set<string>();
    const groups = new Set<string>();
    const alarms = new Set<string>();
    for (const op of ops) {
      if (op.kind === "cw-alarm") alarms.add(op.id);
      if (op.kind === "elbv2-target-health") groups.add(op.id.split("|")[0]!);
      else if (op.kind === "elbv2-target-group" && op.op === "put") groups.add(op.id);
      if (op.op !== "put") continue;
      if (op.kind === "task") {
        const t = op.value as { group?: string; clusterArn?: string };
        if (t.group?.startsWith("service:") && t.clusterArn) {
          enqueue(`${t.clusterArn.replace(":cluster/", ":service/")}/${t.group.slice("service:".length)}`);
        }
      } else if (op.kind === "container-instance" && op.scope) {
        clusters.add(op.scope);
      }
    }
    if (groups.size > 0) {
      void store
        .list<ServiceDoc>("service")
        .then((rows) =>
          rows
            .filter((r) => r.value.status !== "INACTIVE" && (portView(r.value).loadBalancers ?? []).some((l) => l.targetGroupArn && groups.has(l.targetGroupArn)))
            .forEach((r) => enqueue(r.id)),
        )
        .catch(() => undefined);
    }
    if (alarms.size > 0) {
      void store
        .list<ServiceDoc>("service")
        .then((rows) =>
          rows
            .filter((r) => r.value.status !== "INACTIVE" && namesAlarm(r.value, alarms))
            .forEach((r) => enqueue(r.id)),
        )
        .catch(() => undefined);
    }
    for (const clusterArn of clusters) {
      void store
        .list<ServiceDoc>("service", { scope: clusterArn })
        .then((rows) => rows.filter((r) => r.value.status !== "INACTIVE").forEach((r) => enqueue(r.id)))
        .catch(() => undefined);
    }
  };
}

/** The service's enabled deployment alarms name one of these `ACCOUNT:REGION:NAME` alarm ids. */
function namesAlarm(doc: ServiceDoc, alarmIds: ReadonlySet<string>): boolean {
  const cfg = doc.deploymentConfiguration?.alarms;
  if (!cfg?.enable) return false;
  const [, , , region, account] = doc.serviceArn.split(":");
  return (cfg.alarmNames ?? []).some((n) => alarmIds.has(`${account}:${region}:${n}`));
}
