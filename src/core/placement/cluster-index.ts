import type { QueryTarget } from "../query/index.js";
import type { InstanceSnapshot, TaskRequirements } from "./types.js";

/**
 * A long-lived, incrementally updated view of a cluster's container instances for placement.
 *
 * Numbers live in typed arrays indexed by slot (struct of arrays) so the per-task scan over
 * thousands of instances touches little memory; placements are applied in place (`reserve`)
 * and undone with `release`, so a scheduler never rebuilds it between decisions. Derived data
 * (attribute value columns, spread counts, static candidate lists) is cached and dropped when
 * `staticVersion` moves (an instance added, removed or changed by `upsert`).
 */
export class ClusterIndex {
  size = 0;
  capacity = 0;
  /** Bumped whenever anything but resources/task counts changes; keys every derived cache. */
  staticVersion = 0;

  live = new Uint8Array(0);
  arn: string[] = [];
  ec2InstanceId: (string | undefined)[] = [];
  status: string[] = [];
  agentConnected = new Uint8Array(0);
  registeredAt: (number | undefined)[] = [];
  agentVersion: (string | undefined)[] = [];
  attributes: Map<string, string | null>[] = [];
  registeredCpu = new Float64Array(0);
  registeredMemory = new Float64Array(0);
  cpu = new Float64Array(0);
  memory = new Float64Array(0);
  /** Free ENI slots; Infinity when the instance does not limit them. */
  eni = new Float64Array(0);
  gpuCount = new Int32Array(0);
  gpuFree: string[][] = [];
  ports: Set<number>[] = [];
  portsUdp: Set<number>[] = [];
  running = new Int32Array(0);
  groups: Map<string, number>[] = [];

  private readonly slotByArn = new Map<string, number>();
  private readonly freeSlots: number[] = [];
  /** group → per-slot task count of that group (distinctInstance, spread by instance). */
  private readonly groupColumns = new Map<string, Int32Array>();
  private readonly fieldColumns = new Map<string, FieldColumn>();
  /** `${field}\0${group}` → tasks of group per field value id. */
  private readonly spreadCounts = new Map<string, { field: FieldColumn; group: string; counts: Int32Array }>();
  /** Derived caches of callers (static candidate lists), cleared with staticVersion. */
  readonly memo = new Map<string, unknown>();

  static from(instances: Iterable<InstanceSnapshot>): ClusterIndex {
    const index = new ClusterIndex();
    for (const i of instances) index.upsert(i);
    return index;
  }

  slotOf(arn: string): number | undefined {
    return this.slotByArn.get(arn);
  }

  /** Every live slot, in slot order. */
  *slots(): IterableIterator<number> {
    for (let s = 0; s < this.size; s++) if (this.live[s]) yield s;
  }

  get instanceCount(): number {
    return this.slotByArn.size;
  }

  /** Adds an instance or replaces everything known about it (resources included). */
  upsert(i: InstanceSnapshot): number {
    let slot = this.slotByArn.get(i.arn);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.size++;
      if (slot >= this.capacity) this.grow(Math.max(16, this.capacity * 2));
      this.slotByArn.set(i.arn, slot);
    }
    this.live[slot] = 1;
    this.arn[slot] = i.arn;
    this.ec2InstanceId[slot] = i.ec2InstanceId;
    this.status[slot] = i.status;
    this.agentConnected[slot] = i.agentConnected ? 1 : 0;
    this.registeredAt[slot] = i.registeredAt;
    this.agentVersion[slot] = i.agentVersion;
    this.attributes[slot] = new Map(Object.entries(i.attributes ?? {}));
    this.registeredCpu[slot] = i.registered.cpu;
    this.registeredMemory[slot] = i.registered.memory;
    this.cpu[slot] = i.remaining.cpu;
    this.memory[slot] = i.remaining.memory;
    this.eni[slot] = i.remaining.eni ?? Infinity;
    this.gpuFree[slot] = [...(i.remaining.gpuIds ?? [])];
    this.gpuCount[slot] = this.gpuFree[slot]!.length;
    this.ports[slot] = new Set(i.remaining.ports ?? []);
    this.portsUdp[slot] = new Set(i.remaining.portsUdp ?? []);
    this.running[slot] = i.runningTasksCount;
    this.groups[slot] = new Map(Object.entries(i.taskGroups ?? {}).filter(([, n]) => n > 0));
    this.invalidate();
    return slot;
  }

  remove(arn: string): void {
    const slot = this.slotByArn.get(arn);
    if (slot === undefined) return;
    this.slotByArn.delete(arn);
    this.live[slot] = 0;
    this.groups[slot] = new Map();
    this.freeSlots.push(slot);
    this.invalidate();
  }

  /**
   * Takes a task's resources from the slot; returns the GPU ids assigned to it. `gpuIds` names
   * the ids of a task placed earlier (a stored task being counted again); otherwise the first
   * free ones are taken.
   */
  reserve(slot: number, task: TaskRequirements, group: string | undefined, gpuIds?: readonly string[]): string[] {
    this.cpu[slot] -= task.cpu;
    this.memory[slot] -= task.memory;
    if (task.eni) this.eni[slot] -= 1;
    for (const p of task.ports ?? []) this.ports[slot]!.add(p);
    for (const p of task.portsUdp ?? []) this.portsUdp[slot]!.add(p);
    let taken: string[] = [];
    const gpus = task.gpus ?? 0;
    if (gpuIds && gpuIds.length > 0) {
      const held = new Set(gpuIds);
      taken = [...gpuIds];
      this.gpuFree[slot] = this.gpuFree[slot]!.filter((id) => !held.has(id));
      this.gpuCount[slot] = this.gpuFree[slot]!.length;
    } else if (gpus > 0) {
      taken = this.gpuFree[slot]!.splice(0, gpus);
      this.gpuCount[slot] = this.gpuFree[slot]!.length;
    }
    this.running[slot] += 1;
    this.countGroup(slot, group, 1);
    return taken;
  }

  /**
   * The agent connected or went away. Agent presence feeds a static filter (AGENT) and the
   * agentConnected query field, so derived caches are dropped as for an upsert.
   */
  setAgentConnected(slot: number, connected: boolean): void {
    const v = connected ? 1 : 0;
    if (this.agentConnected[slot] === v) return;
    this.agentConnected[slot] = v;
    this.invalidate();
  }

  /** Gives back what `reserve` took (a task stopped, or a dry run is undone). */
  release(slot: number, task: TaskRequirements, group: string | undefined, gpuIds: string[] = []): void {
    this.cpu[slot] += task.cpu;
    this.memory[slot] += task.memory;
    if (task.eni) this.eni[slot] += 1;
    for (const p of task.ports ?? []) this.ports[slot]!.delete(p);
    for (const p of task.portsUdp ?? []) this.portsUdp[slot]!.delete(p);
    if (gpuIds.length > 0) {
      this.gpuFree[slot]!.push(...gpuIds);
      this.gpuCount[slot] = this.gpuFree[slot]!.length;
    }
    this.running[slot] = Math.max(0, this.running[slot]! - 1);
    this.countGroup(slot, group, -1);
  }

  groupCount(slot: number, group: string): number {
    return this.groups[slot]!.get(group) ?? 0;
  }

  /** Per-slot count of the group's tasks, kept current by reserve/release. */
  groupColumn(group: string): Int32Array {
    let col = this.groupColumns.get(group);
    if (!col) {
      col = new Int32Array(this.capacity);
      for (let s = 0; s < this.size; s++) if (this.live[s]) col[s] = this.groups[s]!.get(group) ?? 0;
      this.groupColumns.set(group, col);
    }
    return col;
  }

  /** Interned values of an attribute (or instanceId) per slot: spread compares small integers. */
  fieldColumn(field: string): FieldColumn {
    let col = this.fieldColumns.get(field);
    if (!col) {
      col = { ids: new Int32Array(this.capacity), values: [] };
      const idOf = new Map<string, number>();
      for (let s = 0; s < this.size; s++) {
        if (!this.live[s]) continue;
        const v = this.fieldValue(s, field);
        let id = idOf.get(v);
        if (id === undefined) idOf.set(v, (id = col.values.push(v) - 1));
        col.ids[s] = id;
      }
      this.fieldColumns.set(field, col);
    }
    return col;
  }

  /** The value spread groups a slot by; instances lacking the attribute share the "" bucket. */
  fieldValue(slot: number, field: string): string {
    if (field === "instanceId") return this.arn[slot]!;
    return this.attributes[slot]!.get(field.slice("attribute:".length)) ?? "";
  }

  /** Tasks of `group` (all tasks when undefined) per value of `field`, kept current by reserve/release. */
  spreadCountsFor(field: string, group: string | undefined): { column: FieldColumn; counts: Int32Array } {
    const key = `${field}\0${group ?? ALL_TASKS}`;
    let entry = this.spreadCounts.get(key);
    if (!entry) {
      const column = this.fieldColumn(field);
      const counts = new Int32Array(column.values.length);
      for (let s = 0; s < this.size; s++) {
        if (!this.live[s]) continue;
        counts[column.ids[s]!]! += group === undefined ? this.running[s]! : (this.groups[s]!.get(group) ?? 0);
      }
      entry = { field: column, group: group ?? ALL_TASKS, counts };
      this.spreadCounts.set(key, entry);
    }
    return { column: entry.field, counts: entry.counts };
  }

  /** A QueryTarget reading the slot live (task:group and runningTasksCount follow placements). */
  target(slot: number): QueryTarget {
    return {
      ec2InstanceId: this.ec2InstanceId[slot],
      registeredAt: this.registeredAt[slot],
      runningTasksCount: this.running[slot]!,
      agentConnected: this.agentConnected[slot] === 1,
      agentVersion: this.agentVersion[slot],
      attribute: (name) => this.attributes[slot]!.get(name),
      taskGroups: () => this.groups[slot]!.keys(),
    };
  }

  private countGroup(slot: number, group: string | undefined, delta: number): void {
    for (const entry of this.spreadCounts.values()) {
      // ALL_TASKS counts follow every placement whatever its group.
      if (entry.group === ALL_TASKS || entry.group === group) entry.counts[entry.field.ids[slot]!]! += delta;
    }
    if (group === undefined) return;
    const map = this.groups[slot]!;
    const n = (map.get(group) ?? 0) + delta;
    if (n > 0) map.set(group, n);
    else map.delete(group);
    const col = this.groupColumns.get(group);
    if (col) col[slot] = Math.max(0, n);
  }

  private invalidate(): void {
    this.staticVersion++;
    this.fieldColumns.clear();
    this.spreadCounts.clear();
    this.groupColumns.clear();
    this.memo.clear();
  }

  private grow(capacity: number): void {
    const f64 = (a: Float64Array) => { const b = new Float64Array(capacity); b.set(a); return b; };
    const i32 = (a: Int32Array) => { const b = new Int32Array(capacity); b.set(a); return b; };
    const u8 = (a: Uint8Array) => { const b = new Uint8Array(capacity); b.set(a); return b; };
    this.live = u8(this.live);
    this.agentConnected = u8(this.agentConnected);
    this.registeredCpu = f64(this.registeredCpu);
    this.registeredMemory = f64(this.registeredMemory);
    this.cpu = f64(this.cpu);
    this.memory = f64(this.memory);
    this.eni = f64(this.eni);
    this.gpuCount = i32(this.gpuCount);
    this.running = i32(this.running);
    this.capacity = capacity;
  }
}

/** Spread-count key for "every task", used when the request has no group. */
const ALL_TASKS = "\u0000all";

export interface FieldColumn {
  /** Value id per slot. */
  ids: Int32Array;
  /** Value per id. */
  values: string[];
}
