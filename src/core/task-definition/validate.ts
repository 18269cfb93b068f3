import { ephemeralStorageGiB } from "../fargate/platform.js";
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { AwsError, clientException, invalidParameter } from "../errors.js";
import { type Tag, validateTags } from "../tags.js";
import {
  NAME_RE,
  checkContainer,
  checkDependencyCycles,
  checkHostPortClashes,
  checkIdentity,
  isEssential,
} from "./containers.js";
import { TASK_CPU_MAX, TASK_CPU_MIN, isFargateSize, parseTaskCpu, parseTaskMemory } from "./resources.js";
import { checkVolumes } from "./volumes.js";
import { checkLogging } from "./logging.js";

/**
 * RegisterTaskDefinition's semantic checks, as ECS makes them after the wire-level model
 * checks (types, required members, enums) have passed. Pure: no store, no clock. Each
 * failure is the ECS error type with a message that names the field at fault.
 */

export const NETWORK_MODES = ["bridge", "host", "awsvpc", "none"] as const;
export const MAX_CONTAINERS = 10;

/** What validation learned that building the stored document needs. */
export interface ValidatedInput {
  /** Effective network mode (bridge when the input leaves it out). */
  networkMode: string;
  /** Normalised task cpu (CPU units) and memory (MiB), when given. */
  cpu?: number;
  memory?: number;
  /** Whether the definition also meets Fargate's rules (→ FARGATE in `compatibilities`). */
  fargateCompatible: boolean;
  tags: Tag[];
}

export function validateRegisterInput(input: RegisterTaskDefinitionRequest): ValidatedInput {
  checkFamily(input.family);
  const containers = input.containerDefinitions ?? [];
  if (containers.length === 0) throw clientException("Container list cannot be empty.");
  if (containers.length > MAX_CONTAINERS) {
    throw clientException(`Too many containers: a task definition can have at most ${MAX_CONTAINERS} containerDefinitions (got ${containers.length}).`);
  }
  const byName = new Map<string, ContainerDefinition>();
  for (const c of containers) {
    checkIdentity(c);
    if (byName.has(c.name!)) {
      throw clientException(`Container names must be unique within a task definition: '${c.name}' appears more than once.`);
    }
    byName.set(c.name!, c);
  }

  // networkMode is one of NETWORK_MODES: the model's enum, checked by the edge.
  const networkMode = input.networkMode ?? "bridge";
  const cpu = input.cpu === undefined ? undefined : parseTaskCpu(input.cpu);
  if (input.cpu !== undefined && (cpu === undefined || cpu < TASK_CPU_MIN || cpu > TASK_CPU_MAX)) {
    throw invalidParameter(
      `Invalid 'cpu' setting for task: '${input.cpu}'. Use CPU units between ${TASK_CPU_MIN} and ${TASK_CPU_MAX} (for example "1024") or vCPUs (for example "1 vCPU").`,
    );
  }
  const memory = input.memory === undefined ? undefined : parseTaskMemory(input.memory);
  if (input.memory !== undefined && (memory === undefined || memory < 6)) {
    throw invalidParameter(`Invalid 'memory' setting for task: '${input.memory}'. Use MiB (for example "1024") or GB (for example "1 GB").`);
  }

  const requested = new Set<string>(input.requiresCompatibilities ?? []);
  const fargateProblem = fargateIncompatibility(input, networkMode, cpu, memory);
  if (requested.has("FARGATE") && fargateProblem) throw fargateProblem;
  if (requested.has("EXTERNAL") && networkMode === "awsvpc") {
    throw clientException("Tasks using the EXTERNAL launch type do not support networkMode 'awsvpc'. Use bridge, host or none.");
  }

  const volumeNames = checkVolumes(input.volumes ?? []);
  if (input.ephemeralStorage) {
    try {
      ephemeralStorageGiB(input.ephemeralStorage.sizeInGiB);
    } catch (err) {
      throw clientException((err as Error).message);
    }
  }

  const task = { networkMode, byName, volumeNames };
  for (const c of containers) checkContainer(c, task, memory);
  if (!containers.some(isEssential)) throw clientException("Task definition doesn't have any essential container. At least one container must have 'essential' set to true.");
  checkDependencyCycles(containers);
  checkHostPortClashes(containers, networkMode);
  checkLogging(containers);
  checkTaskSums(containers, cpu, memory);
  const tags = validateTags(input.tags);
  return { networkMode, cpu, memory, fargateCompatible: !fargateProblem, tags };
}

export function checkFamily(family: string | undefined): void {
  if (family === undefined || family === "") throw clientException("Family can not be blank.");
  if (family.length > 255) throw clientException(`Family cannot be longer than 255 characters (got ${family.length}).`);
  if (!NAME_RE.test(family)) {
    throw clientException(
      `Family contains invalid characters: '${family.length > 64 ? `${family.slice(0, 64)}…` : family}'. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`,
    );
  }
}

/** The first reason this definition cannot run on Fargate, as the error ECS would give. */
function fargateIncompatibility(
  input: RegisterTaskDefinitionRequest,
  networkMode: string,
  cpu: number | undefined,
  memory: number | undefined,
): AwsError | undefined {
  if (networkMode !== "awsvpc") return clientException("Fargate only supports network mode ‘awsvpc’.");
  if (cpu === undefined) return clientException("Fargate requires that 'cpu' be defined at the task level.");
  if (memory === undefined) return clientException("Fargate requires that 'memory' be defined at the task level.");
  if (!isFargateSize(cpu, memory)) {
    return clientException(
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`,
    );
  }
  if (input.pidMode === "host") {
    return clientException("Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.");
  }
  if (input.ipcMode !== undefined) return clientException("Tasks using the Fargate launch type do not support ipcMode.");
  const hostVolume = (input.volumes ?? []).find((v) => v.host?.sourcePath !== undefined || v.dockerVolumeConfiguration);
  if (hostVolume) {
    return clientException(
      `Tasks using the Fargate launch type do not support host sourcePath or dockerVolumeConfiguration volumes (volume '${hostVolume.name}').`,
    );
  }
  const containers = input.containerDefinitions ?? [];
  const privileged = containers.find((c) => c.privileged);
  if (privileged) {
    return clientException(`Tasks using the Fargate launch type do not support privileged containers (container '${privileged.name}').`);
  }
  const linked = containers.find((c) => (c.links ?? []).length > 0);
  if (linked) return clientException("Links are not supported when networkMode=awsvpc.");
  const gpu = containers.find((c) => (c.resourceRequirements ?? []).some((r) => r.type === "GPU"));
  if (gpu) return clientException(`Tasks using the Fargate launch type do not support GPU resource requirements (container '${gpu.name}').`);
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      if (pm.hostPort !== undefined && pm.hostPort !== 0 && pm.containerPort !== undefined && pm.hostPort !== pm.containerPort) {
        return clientException("When networkMode=awsvpc, the host ports and container ports in port mappings must match.");
      }
    }
  }
  return undefined;
}

function checkTaskSums(containers: ContainerDefinition[], cpu: number | undefined, memory: number | undefined): void {
  if (cpu !== undefined) {
    const total = containers.reduce((s, c) => s + (c.cpu ?? 0), 0);
    if (total > cpu) throw clientException("The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.");
  }
  if (memory !== undefined) {
    const usesReservation = containers.some((c) => c.memoryReservation !== undefined);
    const total = containers.reduce((s, c) => s + (c.memoryReservation ?? c.memory ?? 0), 0);
    if (total > memory) {
      const field = usesReservation ? "memoryReservation" : "memory";
      throw clientException(`The sum of all container '${field}' values cannot be greater than the value of the task 'memory'.`);
    }
  }
}
