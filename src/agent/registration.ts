import { SUPPORTED_LOG_DRIVERS } from "./container-config.js";
import { LOG_CAPABILITY_ATTRIBUTES } from "./logs/shipper.js";

/** Host ports ECS always reserves on an instance (ssh, Docker, the agent's introspection ports). */
export const RESERVED_PORTS = ["22", "2375", "2376", "51678", "51679"];
/** Docker Remote API versions the capability attributes may name (the ECS agent lists 1.17 upwards). */
const REMOTE_API_MIN_MINOR = 17;
const REMOTE_API_MAX_MINOR = 41;

export interface HostFacts {
  cpus: number;
  memTotalBytes: number;
  /** Docker's `Architecture` (x86_64, aarch64) or node's process.arch. */
  architecture: string;
  dockerVersion: string;
  /** Docker's `MinAPIVersion` / `ApiVersion`, e.g. "1.12" / "1.41". */
  minApiVersion: string;
  maxApiVersion: string;
  /** Task-level cpu/memory are enforced by a per-task cgroup on this host (src/agent/limits.ts). */
  taskCgroups?: boolean;
}

export interface RegistrationOptions {
  cluster: string;
  containerInstanceArn?: string;
  ec2InstanceId: string;
  region: string;
  hostIp?: string;
  instanceType?: string;
  availabilityZone?: string;
  gpus?: string[];
  /** Memory in MiB held back from tasks (ECS_RESERVED_MEMORY). */
  reservedMemoryMiB?: number;
  attributes?: Record<string, string | undefined>;
  agentVersion: string;
}

/** ECS's names for CPU architectures. */
export function ecsArchitecture(arch: string): string {
  if (arch === "aarch64" || arch === "arm64") return "arm64";
  if (arch === "x86_64" || arch === "amd64" || arch === "x64") return "x86_64";
  return arch;
}

const minor = (v: string): number => Number(v.split(".")[1] ?? 0);

/** The capability and platform attributes the agent truthfully supports. */
export function agentAttributes(facts: HostFacts, opts: RegistrationOptions): { name: string; value?: string }[] {
  const out: { name: string; value?: string }[] = [
    { name: "ecs.os-type", value: "linux" },
    { name: "ecs.os-family", value: "LINUX" },
    { name: "ecs.cpu-architecture", value: ecsArchitecture(facts.architecture) },
  ];
  if (opts.availabilityZone) out.push({ name: "ecs.availability-zone", value: opts.availabilityZone });
  if (opts.instanceType) out.push({ name: "ecs.instance-type", value: opts.instanceType });
  const lo = Math.max(REMOTE_API_MIN_MINOR, minor(facts.minApiVersion));
  const hi = Math.min(REMOTE_API_MAX_MINOR, minor(facts.maxApiVersion));
  for (let m = lo; m <= hi; m++) out.push({ name: `com.amazonaws.ecs.capability.docker-remote-api.1.${m}` });
  for (const driver of SUPPORTED_LOG_DRIVERS) out.push({ name: `com.amazonaws.ecs.capability.logging-driver.${driver}` });
  // awslogs and FireLens are shipped by the agent itself (src/agent/logs).
  for (const name of LOG_CAPABILITY_ATTRIBUTES) out.push({ name });
  out.push({ name: "com.amazonaws.ecs.capability.privileged-container" });
  // Tasks with a taskRoleArn get the role's credentials at 169.254.170.2 (src/agent/credentials).
  out.push({ name: "com.amazonaws.ecs.capability.task-iam-role" });
  out.push({ name: "com.amazonaws.ecs.capability.task-iam-role-network-host" });
  // ECR images are pulled like any other (registry credentials are not fetched): a task naming one
  // is placed and then fails with CannotPullContainerError unless the image is cached, as on ECS.
  out.push({ name: "com.amazonaws.ecs.capability.ecr-auth" });
  out.push({ name: "ecs.capability.execution-role-ecr-pull" });
  out.push({ name: "ecs.capability.container-ordering" });
  // Container secrets[] as environment variables, fetched with the execution role (src/agent/secrets.ts).
  out.push({ name: "ecs.capability.secrets.ssm.environment-variables" });
  out.push({ name: "ecs.capability.secrets.asm.environment-variables" });
  // Health checks, Docker volumes (local driver) and EFS (a host-directory stand-in, see src/agent/volumes/plan.ts).
  out.push({ name: "ecs.capability.container-health-check" });
  out.push({ name: "com.amazonaws.ecs.capability.docker-plugin.local" });
  out.push({ name: "ecs.capability.efs" });
  out.push({ name: "ecs.capability.efsAuth" });
  if (facts.taskCgroups) out.push({ name: "ecs.capability.task-cpu-mem-limit" });
  for (const [name, value] of Object.entries(opts.attributes ?? {})) {
    const i = out.findIndex((a) => a.name === name);
    const attr = value === undefined ? { name } : { name, value };
    if (i >= 0) out[i] = attr;
    else out.push(attr);
  }
  return out;
}

/** The RegisterContainerInstance request body for this host. */
export function registrationRequest(facts: HostFacts, opts: RegistrationOptions): Record<string, unknown> {
  const memMiB = Math.max(0, Math.floor(facts.memTotalBytes / (1024 * 1024)) - (opts.reservedMemoryMiB ?? 0));
  const totalResources: Record<string, unknown>[] = [
    { name: "CPU", type: "INTEGER", integerValue: 1024 * facts.cpus },
    { name: "MEMORY", type: "INTEGER", integerValue: memMiB },
    { name: "PORTS", type: "STRINGSET", stringSetValue: RESERVED_PORTS },
    { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
  ];
  if (opts.gpus?.length) totalResources.push({ name: "GPU", type: "STRINGSET", stringSetValue: opts.gpus });
  const identity = {
    instanceId: opts.ec2InstanceId,
    region: opts.region,
    architecture: ecsArchitecture(facts.architecture),
    ...(opts.availabilityZone ? { availabilityZone: opts.availabilityZone } : {}),
    ...(opts.instanceType ? { instanceType: opts.instanceType } : {}),
    ...(opts.hostIp ? { privateIp: opts.hostIp } : {}),
  };
  return {
    cluster: opts.cluster,
    ...(opts.containerInstanceArn ? { containerInstanceArn: opts.containerInstanceArn } : {}),
    instanceIdentityDocument: JSON.stringify(identity),
    totalResources,
    versionInfo: {
      agentVersion: opts.agentVersion,
      agentHash: "wharf",
      dockerVersion: `DockerVersion: ${facts.dockerVersion}`,
    },
    attributes: agentAttributes(facts, opts),
  };
}
