import type { Store, WriteOp } from "../../store/store.js";
import { ClusterPlacement, diffPlacements } from "./cluster-placement.js";
import { clusterInstances, capacityTasks, type InstanceDoc } from "../../records/instance-doc.js";
import type { TaskDoc } from "../../records/task-doc.js";

type Change = (c: ClusterPlacement) => void;

type Slot =
  | { state: "building"; queue: Change[]; ready: Promise<ClusterPlacement> }
  | { state: "ready"; placement: ClusterPlacement };

/**
 * Every cluster's placement state, kept in memory for the life of the server. A cluster's is
 * built from the store the first time something needs it (RunTask, StartTask, explain, an agent
 * poll), then kept current from the store's committed writes (`observe`, hooked to
 * withWriteListener in src/server.ts) and the AgentHub's presence changes (`presenceChanged`):
 *
 * - a task put holds the task's resources on its instance until a put shows it STOPPED (or the
 *   record is deleted);
 * - a container-instance put recomputes the instance's slot (attributes, status, resources);
 *   INACTIVE removes it;
 * - a cluster put with status INACTIVE forgets the cluster.
 *
 * Writes that land while a cluster is being built are queued and replayed on the result, in
 * commit order: each carries the whole record, so replaying one the build already saw is
 * harmless and the last one per record wins.
 *
 * A failure while applying a write drops the cluster's state (rebuilt on next use) rather than
 * let it drift; `verify` compares the kept state with a fresh build (tests, `wharf` debugging).
 */
export class PlacementIndexes {
  private readonly clusters = new Map<string, Slot>();

  constructor(
    private readonly store: Store,
    private readonly presence: (instanceArn: string) => boolean,
  ) {}

  /** The cluster's placement state, built on first use. */
  cluster(clusterArn: string): Promise<ClusterPlacement> {
    const slot = this.clusters.get(clusterArn);
    if (slot?.state === "ready") return Promise.resolve(slot.placement);
    if (slot) return slot.ready;
    const building: Slot & { state: "building" } = {
      state: "building",
      queue: [],
      ready: undefined as unknown as Promise<ClusterPlacement>,
    };
    this.clusters.set(clusterArn, building);
    building.ready = (async () => {
      try {
        const placement = await buildPlacement(this.store, clusterArn, this.presence);
        for (const change of building.queue) change(placement);
        if (this.clusters.get(clusterArn) === building) this.clusters.set(clusterArn, { state: "ready", placement });
        return placement;
      } catch (err) {
        if (this.clusters.get(clusterArn) === building) this.clusters.delete(clusterArn);
        throw err;
      }
    })();
    return building.ready;
  }

  /** The state if it is built already (read-only callers that must not trigger a build). */
  peek(clusterArn: string): ClusterPlacement | undefined {
    const slot = this.clusters.get(clusterArn);
    return slot?.state === "ready" ? slot.placement : undefined;
  }

  /** Applies a batch of committed writes (the store's write listener). */
  observe(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      if (op.kind === "task") {
        if (op.op === "put") {
          const doc = op.value as TaskDoc;
          this.change(doc.wharf.capacityArn ?? doc.clusterArn, (c) => c.applyTask(doc));
        } else {
          for (const arn of this.clusters.keys()) this.change(arn, (c) => c.removeTask(op.id));
        }
      } else if (op.kind === "container-instance" && op.op === "put") {
        const doc = op.value as InstanceDoc;
        this.change(doc.wharf.clusterArn, (c) => c.applyInstance(doc));
      } else if (op.kind === "cluster" && (op.op === "delete" || (op.value as { status?: string }).status === "INACTIVE")) {
        this.clusters.delete(op.id);
      }
    }
  }

  /** The AgentHub saw an instance's agent connect or go away. */
  presenceChanged(instanceArn: string, connected: boolean): void {
    for (const arn of this.clusters.keys()) this.change(arn, (c) => c.setConnected(instanceArn, connected));
  }

  /** Differences between the kept state and a fresh build from the store (empty when they agree). */
  async verify(clusterArn: string): Promise<string[]> {
    const kept = await this.cluster(clusterArn);
    const fresh = await buildPlacement(this.store, clusterArn, this.presence);
    return diffPlacements(kept, fresh);
  }

  private change(clusterArn: string, fn: Change): void {
    const slot = this.clusters.get(clusterArn);
    if (!slot) return;
    if (slot.state === "building") {
      slot.queue.push(fn);
      return;
    }
    try {
      fn(slot.placement);
    } catch {
      // Never let the index drift: forget it, the next user rebuilds it from the store.
      this.clusters.delete(clusterArn);
    }
  }
}

/** A cluster's placement state read afresh from the store. */
export async function buildPlacement(
  store: Store,
  clusterArn: string,
  presence: (instanceArn: string) => boolean,
): Promise<ClusterPlacement> {
  const [instances, tasks] = await Promise.all([clusterInstances(store, clusterArn), capacityTasks(store, clusterArn)]);
  const placement = new ClusterPlacement(clusterArn, presence);
  placement.load(instances, tasks);
  return placement;
}
