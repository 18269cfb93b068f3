import type { TaskNeeds } from "../task-needs.js";

/**
 * First-fit placement: the first ACTIVE instance whose agent is connected and which has room
 * for the task's CPU, memory and static host ports. Pure: its input is a plain snapshot, so
 * the placement engine (strategies, constraints) can replace it without touching callers.
 */

/** One container instance as placement sees it. */
export interface InstanceSnapshot {
  containerInstanceArn: string;
  status: string;
  agentConnected: boolean;
  /** `eni`: awsvpc task ENIs still free (capacity minus awsvpc tasks); undefined = unlimited. */
  remaining: { cpu: number; memory: number; ports: number[]; udpPorts: number[]; eni?: number };
}

/** ECS's failure entry: the instance ARN and why the task did not fit there. */
export interface PlacementFailure {
  arn: string;
  reason: string;
}

export interface PlacementResult {
  /** The instance ARN chosen for each placed task, in order (fewer than `count` when room ran out). */
  placements: string[];
  failures: PlacementFailure[];
}

/** Why `needs` does not fit on `inst`, as ECS names it, or undefined when it fits. */
export function misfit(inst: InstanceSnapshot, needs: TaskNeeds): string | undefined {
  if (!inst.agentConnected) return "AGENT";
  if (needs.cpu > inst.remaining.cpu) return "RESOURCE:CPU";
  if (needs.memory > inst.remaining.memory) return "RESOURCE:MEMORY";
  const tcp = new Set(inst.remaining.ports);
  if (needs.ports.some((p) => tcp.has(p)) || new Set(needs.ports).size !== needs.ports.length) return "RESOURCE:PORTS";
  const udp = new Set(inst.remaining.udpPorts);
  if (needs.udpPorts.some((p) => udp.has(p)) || new Set(needs.udpPorts).size !== needs.udpPorts.length) {
    return "RESOURCE:PORTS_UDP";
  }
  if (needs.eni && (inst.remaining.eni ?? Infinity) < 1) return "RESOURCE:ENI";
  return undefined;
}

/** Takes `needs` out of an instance's remaining resources (returns a new snapshot). */
export function reserve(inst: InstanceSnapshot, needs: TaskNeeds): InstanceSnapshot {
  return {
    ...inst,
    remaining: {
      cpu: inst.remaining.cpu - needs.cpu,
      memory: inst.remaining.memory - needs.memory,
      ports: [...inst.remaining.ports, ...needs.ports],
      udpPorts: [...inst.remaining.udpPorts, ...needs.udpPorts],
      ...(inst.remaining.eni !== undefined ? { eni: inst.remaining.eni - (needs.eni ? 1 : 0) } : {}),
    },
  };
}

/**
 * Places `count` tasks one after another, each on the first instance (in the given order)
 * with room left after the previous placements. When a task fits nowhere, placement stops
 * and `failures` lists, once per instance, why it did not fit there.
 */
export function placeFirstFit(instances: InstanceSnapshot[], needs: TaskNeeds, count: number): PlacementResult {
  let pool = instances.filter((i) => i.status === "ACTIVE");
  const placements: string[] = [];
  for (let n = 0; n < count; n++) {
    const idx = pool.findIndex((i) => misfit(i, needs) === undefined);
    if (idx < 0) {
      return { placements, failures: pool.map((i) => ({ arn: i.containerInstanceArn, reason: misfit(i, needs)! })) };
    }
    const chosen = pool[idx]!;
    placements.push(chosen.containerInstanceArn);
    pool = pool.map((i, k) => (k === idx ? reserve(i, needs) : i));
  }
  return { placements, failures: [] };
}
