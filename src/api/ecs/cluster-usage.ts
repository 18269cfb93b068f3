import type { EcsDeps } from "./deps.js";

/** Counts a cluster's instances, tasks and services, as DescribeClusters reports them. */
export interface ClusterUsage {
  registeredContainerInstancesCount: number;
  runningTasksCount: number;
  pendingTasksCount: number;
  activeServicesCount: number;
  drainingServicesCount: number;
  statistics: { name: string; value: string }[];
}

interface CountedTask {
  lastStatus?: string;
  desiredStatus?: string;
  launchType?: string;
}
interface CountedService {
  status?: string;
  launchType?: string;
}
interface CountedInstance {
  status?: string;
}

/**
 * Records of kinds `task`, `service` and `container-instance` are stored with the cluster
 * ARN as their scope; this derives the counts from them, so they are exact by construction.
 */
export async function clusterUsage(deps: EcsDeps, clusterArn: string): Promise<ClusterUsage> {
  const [tasks, services, instances] = await Promise.all([
    deps.store.list<CountedTask>("task", { scope: clusterArn }),
    deps.store.list<CountedService>("service", { scope: clusterArn }),
    deps.store.list<CountedInstance>("container-instance", { scope: clusterArn }),
  ]);
  const counts = {
    runningEC2TasksCount: 0,
    runningFargateTasksCount: 0,
    runningExternalTasksCount: 0,
    pendingEC2TasksCount: 0,
    pendingFargateTasksCount: 0,
    pendingExternalTasksCount: 0,
    activeEC2ServiceCount: 0,
    activeFargateServiceCount: 0,
    activeExternalServiceCount: 0,
    drainingEC2ServiceCount: 0,
    drainingFargateServiceCount: 0,
    drainingExternalServiceCount: 0,
  };
  const lt = (l?: string) => (l === "FARGATE" ? "Fargate" : l === "EXTERNAL" ? "External" : "EC2");
  let running = 0;
  let pending = 0;
  for (const { value: t } of tasks) {
    if (t.lastStatus === "RUNNING") {
      running++;
      counts[`running${lt(t.launchType)}TasksCount` as keyof typeof counts]++;
    } else if (t.lastStatus !== "STOPPED" && t.lastStatus !== "DEPROVISIONING" && t.lastStatus !== "STOPPING" && t.lastStatus !== "DEACTIVATING") {
      pending++;
      counts[`pending${lt(t.launchType)}TasksCount` as keyof typeof counts]++;
    }
  }
  let active = 0;
  let draining = 0;
  for (const { value: s } of services) {
    if (s.status === "ACTIVE") {
      active++;
      counts[`active${lt(s.launchType)}ServiceCount` as keyof typeof counts]++;
    } else if (s.status === "DRAINING") {
      draining++;
      counts[`draining${lt(s.launchType)}ServiceCount` as keyof typeof counts]++;
    }
  }
  const registered = instances.filter((i) => i.value.status === "ACTIVE" || i.value.status === "DRAINING").length;
  return {
    registeredContainerInstancesCount: registered,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: active,
    drainingServicesCount: draining,
    statistics: Object.entries(counts).map(([name, v]) => ({ name, value: String(v) })),
  };
}
