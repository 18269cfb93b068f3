import type {
  Compatibility,
  ContainerDefinition,
  RegisterTaskDefinitionRequest,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { HEALTH_CHECK_LIMITS } from "./containers.js";
import { requiredAttributes } from "./requires-attributes.js";
import type { ValidatedInput } from "./validate.js";

/**
 * A task definition as stored and returned: the registered input plus what ECS computes and
 * fills in. Timestamps are epoch seconds (the awsJson wire form), not Dates.
 */
export type TaskDefinitionDoc = Omit<TaskDefinition, "registeredAt" | "deregisteredAt"> & {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  containerDefinitions: ContainerDefinition[];
  registeredAt: number;
  deregisteredAt?: number;
};

export interface RegistrationMeta {
  taskDefinitionArn: string;
  revision: number;
  /** Epoch seconds. */
  registeredAt: number;
  registeredBy: string;
}

/**
 * Builds the stored document. Every input member the model knows is kept as given (so members
 * Wharf does not act on still round-trip), then ECS's computed fields and defaults are added:
 * container `cpu: 0`, `essential: true`, empty `portMappings`/`environment`/`mountPoints`/
 * `volumesFrom`/`systemControls`, `protocol: "tcp"`, awsvpc/host `hostPort = containerPort`,
 * healthCheck interval/timeout/retries defaults, task `volumes`/`placementConstraints` [],
 * normalised `cpu`/`memory` strings. `networkMode` stays absent when not given, as ECS leaves
 * it (consumers treat absent as bridge); `requiresCompatibilities` likewise.
 */
export function buildTaskDefinition(
  input: RegisterTaskDefinitionRequest,
  v: ValidatedInput,
  meta: RegistrationMeta,
): TaskDefinitionDoc {
  const { tags: _tags, containerDefinitions, cpu: _cpu, memory: _memory, volumes, placementConstraints, ...rest } = input;
  return {
    taskDefinitionArn: meta.taskDefinitionArn,
    containerDefinitions: (containerDefinitions ?? []).map((c) => normaliseContainer(c, v.networkMode)),
    ...rest,
    family: input.family!,
    revision: meta.revision,
    volumes: (volumes ?? []).map((vol) =>
      vol.efsVolumeConfiguration
        ? { ...vol, efsVolumeConfiguration: { rootDirectory: "/", ...vol.efsVolumeConfiguration } }
        : vol,
    ),
    status: "ACTIVE",
    requiresAttributes: requiredAttributes(input, v.networkMode),
    placementConstraints: placementConstraints ?? [],
    compatibilities: compatibilities(input, v),
    ...(v.cpu !== undefined ? { cpu: String(v.cpu) } : {}),
    ...(v.memory !== undefined ? { memory: String(v.memory) } : {}),
    registeredAt: meta.registeredAt,
    registeredBy: meta.registeredBy,
  };
}

/**
 * ECS lists EC2 always; FARGATE when requested, or when nothing was requested and the
 * definition meets Fargate's rules (real outputs: an awsvpc 256/512 definition without
 * requiresCompatibilities shows ["EC2","FARGATE"], while the seed's dogs definition, awsvpc
 * 512/1024 but requiring EC2, shows ["EC2"]); EXTERNAL / MANAGED_INSTANCES when requested.
 */
function compatibilities(input: RegisterTaskDefinitionRequest, v: ValidatedInput): Compatibility[] {
  const requested = new Set(input.requiresCompatibilities ?? []);
  const out: Compatibility[] = ["EC2"];
  if (requested.has("FARGATE") || (requested.size === 0 && v.fargateCompatible)) out.push("FARGATE");
  if (requested.has("EXTERNAL")) out.push("EXTERNAL");
  if (requested.has("MANAGED_INSTANCES")) out.push("MANAGED_INSTANCES");
  return out;
}

function normaliseContainer(c: ContainerDefinition, networkMode: string): ContainerDefinition {
  const sharesHostPorts = networkMode === "awsvpc" || networkMode === "host";
  const out: ContainerDefinition = {
    name: c.name,
    image: c.image,
    cpu: c.cpu ?? 0,
    ...c,
    portMappings: (c.portMappings ?? []).map((pm) => ({
      ...pm,
      ...(sharesHostPorts && pm.containerPort !== undefined ? { hostPort: pm.containerPort } : {}),
      protocol: pm.protocol ?? "tcp",
    })),
    essential: c.essential ?? true,
    environment: c.environment ?? [],
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
    systemControls: c.systemControls ?? [],
  };
  if (c.logConfiguration) out.logConfiguration = { ...c.logConfiguration };
  if (c.healthCheck) {
    out.healthCheck = {
      ...c.healthCheck,
      interval: c.healthCheck.interval ?? HEALTH_CHECK_LIMITS.interval.default,
      timeout: c.healthCheck.timeout ?? HEALTH_CHECK_LIMITS.timeout.default,
      retries: c.healthCheck.retries ?? HEALTH_CHECK_LIMITS.retries.default,
    };
  }
  return out;
}

/** The network mode a definition runs with: absent means bridge (ECS's Linux default). */
export const effectiveNetworkMode = (td: Pick<TaskDefinition, "networkMode">): string => td.networkMode ?? "bridge";
