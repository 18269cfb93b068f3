import {
  ClusterIndex,
  type InstanceSnapshot,
  requirementsFromNeeds,
  type TaskRequirements,
} from "../../core/placement/index.js";
import { type InstanceDoc, resourceNumber, resourceSet } from "../../records/instance-doc.js";
import type { TaskDoc } from "../../records/task-doc.js";
import { instanceEniCapacity } from "./task-network.js";

/** A task the index counts on its instance: every task not yet STOPPED. */
interface HeldTask {
  instanceArn: string;
  task: TaskRequirements;
  group: string;
  gpuIds: string[];
}

/** Instances placement considers; INACTIVE (deregistered) ones are out of the index. */
const PLACEABLE = new Set(["ACTIVE", "DRAINING"]);

/**
 * One cluster's long-lived placement state: the engine's ClusterIndex, plus what keeps it
 * exact — the stored instance records and every task that holds resources (not yet STOPPED),
 * by instance. It is fed the store's committed writes (placement-indexes.ts), so RunTask never
 * re-reads the cluster.
 *
 * Invariant: when an instance has a slot in the index, every held task on it is counted in that
 * slot (CPU, memory, ports, GPU ids, ENI, task groups). `upsert` recomputes a slot from the held
 * tasks; tasks arriving for an instance without a slot are held and counted when it appears.
 *
 * Callers that mutate (RunTask, StartTask) hold the cluster lock; write notifications arrive
 * synchronously after each commit.
 */
export class ClusterPlacement {
  readonly index = new ClusterIndex();
  /** Stored records of the instances in the index (ACTIVE or DRAINING). */
  readonly instances = new Map<string, InstanceDoc>();
  private readonly held = new Map<string, HeldTask>();
  private readonly byInstance = new Map<string, Set<string>>();
  /** Whether the index's ENI room is computed with the awsvpcTrunking capacities. */
  private trunking = false;

  constructor(
    readonly clusterArn: string,
    private readonly presence: (instanceArn: string) => boolean,
  ) {}

  /** Fills the index from a read of the store (tasks first, so each instance is built once). */
  load(instances: readonly InstanceDoc[], tasks: readonly TaskDoc[]): void {
    for (const t of tasks) this.applyTask(t);
    for (const i of instances) this.applyInstance(i);
  }

  /** A task was written: hold it while it is not STOPPED, release it when it is. */
  applyTask(doc: TaskDoc): void {
    const h = this.held.get(doc.taskArn);
    if (doc.lastStatus === "STOPPED" || !doc.containerInstanceArn) {
      if (h) this.release(doc.taskArn, h);
      return;
    }
    if (h) return;
    const held: HeldTask = {
      instanceArn: doc.containerInstanceArn,
      task: requirementsFromNeeds(doc.wharf.needs),
      group: doc.group,
      gpuIds: doc.wharf.gpuIds ?? [],
    };
    const slot = this.index.slotOf(held.instanceArn);
    if (slot !== undefined) this.index.reserve(slot, held.task, held.group, held.gpuIds);
    this.track(doc.taskArn, held);
  }

  /** A task record was deleted (the reaper forgets STOPPED tasks): release it if still held. */
  removeTask(taskArn: string): void {
    const h = this.held.get(taskArn);
    if (h) this.release(taskArn, h);
  }

  /** An instance was written: (re)computed from its record and held tasks, or dropped when INACTIVE. */
  applyInstance(doc: InstanceDoc): void {
    const arn = doc.containerInstanceArn;
    if (!PLACEABLE.has(doc.status)) {
      this.instances.delete(arn);
      this.index.remove(arn);
      return;
    }
    this.instances.set(arn, doc);
    this.index.upsert(this.snapshotOf(doc));
  }

  /** The instance's agent connected or went away. */
  setConnected(instanceArn: string, connected: boolean): void {
    const slot = this.index.slotOf(instanceArn);
    const doc = this.instances.get(instanceArn);
    if (slot !== undefined && doc) this.index.setAgentConnected(slot, connected);
  }

  /**
   * ENI room follows the caller's awsvpcTrunking setting (as RunTask does): switching moves
   * every instance's free slots by the difference of its two capacities.
   */
  useTrunking(trunking: boolean): void {
    if (trunking === this.trunking) return;
    for (const [arn, doc] of this.instances) {
      const slot = this.index.slotOf(arn)!;
      this.index.eni[slot] = this.index.eni[slot]! + instanceEniCapacity(doc, trunking) - instanceEniCapacity(doc, this.trunking);
    }
    this.trunking = trunking;
  }

  /** Records tasks the caller already reserved in the index (place() or reserve()), before writing them. */
  hold(docs: readonly TaskDoc[]): void {
    for (const d of docs) {
      this.track(d.taskArn, {
        instanceArn: d.containerInstanceArn!,
        task: requirementsFromNeeds(d.wharf.needs),
        group: d.group,
        gpuIds: d.wharf.gpuIds ?? [],
      });
    }
  }

  /** Gives back tasks that were held but never written (the write failed). */
  drop(docs: readonly TaskDoc[]): void {
    for (const d of docs) this.removeTask(d.taskArn);
  }

  /** ARNs of the tasks not yet STOPPED on an instance (what its agent is told to run or stop). */
  tasksOn(instanceArn: string): string[] {
    return [...(this.byInstance.get(instanceArn) ?? [])];
  }

  /** The engine's view of one instance, from its record and the tasks it holds. */
  snapshotOf(doc: InstanceDoc): InstanceSnapshot {
    const arn = doc.containerInstanceArn;
    const rs = doc.registeredResources;
    const registered = { cpu: resourceNumber(rs, "CPU"), memory: resourceNumber(rs, "MEMORY"), gpuIds: resourceSet(rs, "GPU") };
    let cpu = registered.cpu, memory = registered.memory, eniUsed = 0;
    const ports = resourceSet(rs, "PORTS").map(Number);
    const portsUdp = resourceSet(rs, "PORTS_UDP").map(Number);
    const gpusTaken = new Set<string>();
    const taskGroups: Record<string, number> = {};
    const tasks = this.byInstance.get(arn) ?? new Set<string>();
    for (const taskArn of tasks) {
      const h = this.held.get(taskArn)!;
      cpu -= h.task.cpu;
      memory -= h.task.memory;
      ports.push(...(h.task.ports ?? []));
      portsUdp.push(...(h.task.portsUdp ?? []));
      for (const g of h.gpuIds) gpusTaken.add(g);
      if (h.task.eni) eniUsed++;
      taskGroups[h.group] = (taskGroups[h.group] ?? 0) + 1;
    }
    const snap: InstanceSnapshot = {
      arn,
      ec2InstanceId: doc.ec2InstanceId,
      status: doc.status,
      agentConnected: this.presence(arn),
      registeredAt: doc.registeredAt,
      attributes: Object.fromEntries(doc.attributes.map((a) => [a.name, a.value ?? null])),
      registered,
      remaining: {
        cpu,
        memory,
        ports,
        portsUdp,
        gpuIds: registered.gpuIds.filter((g) => !gpusTaken.has(g)),
        eni: instanceEniCapacity(doc, this.trunking) - eniUsed,
      },
      runningTasksCount: tasks.size,
      taskGroups,
    };
    const agentVersion = doc.versionInfo?.agentVersion;
    if (agentVersion !== undefined) snap.agentVersion = agentVersion;
    return snap;
  }

  private track(taskArn: string, h: HeldTask): void {
    this.held.set(taskArn, h);
    let set = this.byInstance.get(h.instanceArn);
    if (!set) this.byInstance.set(h.instanceArn, (set = new Set()));
    set.add(taskArn);
  }

  private release(taskArn: string, h: HeldTask): void {
    this.held.delete(taskArn);
    const set = this.byInstance.get(h.instanceArn);
    set?.delete(taskArn);
    if (set?.size === 0) this.byInstance.delete(h.instanceArn);
    const slot = this.index.slotOf(h.instanceArn);
    if (slot !== undefined) this.index.release(slot, h.task, h.group, h.gpuIds);
  }
}

/**
 * Differences between two placements of the same cluster, instance by instance (resources,
 * ports, GPUs, ENI room, task counts and groups, status, agent): empty when the incrementally
 * kept index matches one built afresh from the store.
 */
export function diffPlacements(kept: ClusterPlacement, fresh: ClusterPlacement): string[] {
  const out: string[] = [];
  const a = kept.index, b = fresh.index;
  const arns = new Set([...kept.instances.keys(), ...fresh.instances.keys()]);
  for (const arn of arns) {
    const sa = a.slotOf(arn), sb = b.slotOf(arn);
    if (sa === undefined || sb === undefined) {
      out.push(`${arn}: ${sa === undefined ? "missing from the kept index" : "missing from a fresh build"}`);
      continue;
    }
    const sorted = <T>(xs: Iterable<T>) => JSON.stringify([...xs].sort());
    const fields: [string, unknown, unknown][] = [
      ["cpu", a.cpu[sa], b.cpu[sb]],
      ["memory", a.memory[sa], b.memory[sb]],
      ["eni", a.eni[sa], b.eni[sb]],
      ["running", a.running[sa], b.running[sb]],
      ["status", a.status[sa], b.status[sb]],
      ["agentConnected", a.agentConnected[sa], b.agentConnected[sb]],
      ["ports", sorted(a.ports[sa]!), sorted(b.ports[sb]!)],
      ["portsUdp", sorted(a.portsUdp[sa]!), sorted(b.portsUdp[sb]!)],
      ["gpuFree", sorted(a.gpuFree[sa]!), sorted(b.gpuFree[sb]!)],
      ["groups", sorted(a.groups[sa]!), sorted(b.groups[sb]!)],
      ["attributes", sorted(a.attributes[sa]!), sorted(b.attributes[sb]!)],
    ];
    for (const [name, x, y] of fields) if (x !== y) out.push(`${arn}: ${name} kept ${String(x)}, fresh ${String(y)}`);
  }
  return out;
}
