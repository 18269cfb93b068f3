import type { InstanceSnapshot } from "../../src/core/placement/index.js";

let n = 0;

/** A container instance snapshot with sensible defaults; override what the test is about. */
export function instance(
  over: Partial<Omit<InstanceSnapshot, "remaining" | "registered">> & {
    remaining?: Partial<InstanceSnapshot["remaining"]>;
    type?: string;
    az?: string;
  } = {},
): InstanceSnapshot {
  const id = (n++).toString(16).padStart(8, "0");
  const { remaining, type, az, attributes, ...rest } = over;
  const cpu = remaining?.cpu ?? 4096;
  const memory = remaining?.memory ?? 8192;
  return {
    arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/test/${id}`,
    ec2InstanceId: `i-${id}`,
    status: "ACTIVE",
    agentConnected: true,
    registeredAt: 1_700_000_000,
    agentVersion: "1.80.0",
    attributes: {
      "ecs.instance-type": type ?? "m5.xlarge",
      "ecs.availability-zone": az ?? "us-east-1a",
      ...attributes,
    },
    registered: { cpu: 4096, memory: 8192, gpuIds: remaining?.gpuIds ?? [] },
    remaining: { cpu, memory, ports: [], portsUdp: [], gpuIds: [], ...remaining },
    runningTasksCount: 0,
    taskGroups: {},
    ...rest,
  };
}

/** How many placements landed on each instance ARN. */
export const countBy = <T>(items: T[], key: (t: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
};
