import type { ServiceDoc } from "../api/ecs/service-doc.js";
import type { Store, WriteOp } from "../store/store.js";

/**
 * Turns committed store writes into service-controller work: a task of group `service:NAME`
 * changed → that service; an instance registered, drained or deregistered → every service of
 * its cluster (DAEMON services gain or lose a task; REPLICA services replace tasks).
 */
export function serviceTriggers(store: Store, enqueue: (serviceArn: string) => void) {
  return (ops: readonly WriteOp[]): void => {
    const clusters = new Set<string>();
    for (const op of ops) {
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
    for (const clusterArn of clusters) {
      void store
        .list<ServiceDoc>("service", { scope: clusterArn })
        .then((rows) => rows.filter((r) => r.value.status !== "INACTIVE").forEach((r) => enqueue(r.id)))
        .catch(() => undefined);
    }
  };
}
