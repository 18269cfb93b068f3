import { clusterOfArn } from "../core/arn.js";
import type { ContainerDefinition, ContainerOverride, KeyValuePair, TaskOverride } from "@aws-sdk/client-ecs";
import { randomBytes } from "node:crypto";
import type { CreateContainerBody, PortBinding } from "./docker/types.js";

/**
 * Pure mapping from an ECS container definition (plus RunTask overrides) to a Docker create body,
 * following what amazon-ecs-agent does: ECS labels on every container, CPU shares with ECS's
 * floor of 2, memory in MiB, bridge port bindings on the agent's host address.
 */

/** Labels amazon-ecs-agent puts on every container. */
export const ECS_LABELS = {
  cluster: "com.amazonaws.ecs.cluster",
  taskArn: "com.amazonaws.ecs.task-arn",
  containerName: "com.amazonaws.ecs.container-name",
  family: "com.amazonaws.ecs.task-definition-family",
  version: "com.amazonaws.ecs.task-definition-version",
} as const;

/** Wharf's own labels: the instance label keeps agents sharing one Engine off each other's containers. */
export const WHARF_LABELS = {
  instanceArn: "com.wharf.container-instance-arn",
  containerArn: "com.wharf.container-arn",
  logDriverFallback: "com.wharf.log-driver-fallback",
} as const;

/** Log drivers the agent runs as asked; any other runs as json-file (awslogs/awsfirelens output is then shipped by src/agent/logs). */
export const SUPPORTED_LOG_DRIVERS = ["json-file", "none"] as const;

/** ECS's CPU-share floor: 0 or 1 share means "unset" to Docker, so the agent writes 2. */
export const MIN_CPU_SHARES = 2;
/** Default `docker stop -t` when a container definition has no stopTimeout. */
export const DEFAULT_STOP_TIMEOUT_SEC = 30;

const MiB = 1024 * 1024;

export type NetworkMode = "bridge" | "host" | "none" | "awsvpc";

export interface TaskPlanInput {
  taskArn: string;
  clusterArn: string;
  containerInstanceArn: string;
  /** Address static and dynamic host ports bind to; 0.0.0.0 or undefined = every address. */
  hostIp?: string;
  /** The TaskDefinition shape as DescribeTaskDefinition returns it. */
  taskDefinition: Record<string, unknown>;
  overrides?: Record<string, unknown>;
  /** Container name → containerArn, for the Wharf container label. */
  containerArns?: Record<string, string>;
  /** Docker names of containers that already exist (adopted after a restart), by container name. */
  dockerNames?: Record<string, string>;
  /** GPU ids placement assigned, by container name: the container gets NVIDIA_VISIBLE_DEVICES=<ids>. */
  gpuIds?: Record<string, string[]>;
  /** Source of the random suffix of Docker names (tests pass a fixed one). */
  randomHex?: () => string;
}

export interface ContainerPlan {
  name: string;
  dockerName: string;
  essential: boolean;
  stopTimeoutSec: number;
  image: string;
  dependsOn: { containerName: string; condition: string }[];
  /** Names of containers this one links to (they must start first). */
  linksTo: string[];
  /** The definition's port mappings (host mode reports them as its bindings). */
  portMappings: { containerPort: number; hostPort?: number; protocol: string }[];
  body: CreateContainerBody;
}

export interface TaskPlan {
  networkMode: NetworkMode;
  family: string;
  revision: number;
  containers: ContainerPlan[];
}


/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
/** A name part as Docker accepts it in container and volume names. */
export const dockerSafe = (s: string): string => s.replace(/[^a-zA-Z0-9_.-]/g, "-");

export function normalizeNetworkMode(mode: unknown): NetworkMode {
  const m = typeof mode === "string" ? mode.toLowerCase() : "bridge";
  return m === "host" || m === "none" || m === "awsvpc" ? m : "bridge";
}

/** Environment of the definition with the override's entries replacing same-named ones, in order. */
export function mergeEnvironment(base: KeyValuePair[] = [], over: KeyValuePair[] = []): KeyValuePair[] {
  const out = base.map((kv) => ({ ...kv }));
  for (const kv of over) {
    const i = out.findIndex((b) => b.name === kv.name);
    if (i >= 0) out[i] = { ...kv };
    else out.push({ ...kv });
  }
  return out;
}

/** Builds every container's Docker name and create body for one task. */
export function planTask(input: TaskPlanInput): TaskPlan {
  const td = input.taskDefinition as {
    family?: string;
    revision?: number;
    networkMode?: string;
    containerDefinitions?: ContainerDefinition[];
  };
  const family = td.family ?? "task";
  const revision = td.revision ?? 1;
  const networkMode = normalizeNetworkMode(td.networkMode);
  const defs = td.containerDefinitions ?? [];
  const overrides = ((input.overrides as TaskOverride | undefined)?.containerOverrides ?? []) as ContainerOverride[];
  const hex = input.randomHex ?? (() => randomBytes(10).toString("hex"));
  const dockerNames = new Map(
    defs.map((d) => [
      d.name!,
      input.dockerNames?.[d.name!] ?? `ecs-${dockerSafe(family)}-${revision}-${dockerSafe(d.name!)}-${hex()}`,
    ]),
  );
  const containers = defs.map((def) => {
    const override = overrides.find((o) => o.name === def.name);
    return planContainer(input, { family, revision, networkMode, dockerNames }, def, override);
  });
  return { networkMode, family, revision, containers };
}

interface TaskContext {
  family: string;
  revision: number;
  networkMode: NetworkMode;
  dockerNames: Map<string, string>;
}

function planContainer(
  input: TaskPlanInput,
  task: TaskContext,
  def: ContainerDefinition,
  ov: ContainerOverride | undefined,
): ContainerPlan {
  const name = def.name!;
  const image = def.image!;
  const cpu = ov?.cpu ?? def.cpu;
  const memory = ov?.memory ?? def.memory;
  const memoryReservation = ov?.memoryReservation ?? def.memoryReservation;
  const command = ov?.command ?? def.command;
  const gpus = input.gpuIds?.[def.name!] ?? [];
  // As amazon-ecs-agent: the assigned GPUs reach the NVIDIA runtime through this variable.
  const env = mergeEnvironment(def.environment, [
    ...(ov?.environment ?? []),
    ...(gpus.length ? [{ name: "NVIDIA_VISIBLE_DEVICES", value: gpus.join(",") }] : []),
  ]);
  const lp = def.linuxParameters;

  const labels: Record<string, string> = {
    ...(def.dockerLabels ?? {}),
    [ECS_LABELS.cluster]: clusterOfArn(input.clusterArn),
    [ECS_LABELS.taskArn]: input.taskArn,
    [ECS_LABELS.containerName]: name,
    [ECS_LABELS.family]: task.family,
    [ECS_LABELS.version]: String(task.revision),
    [WHARF_LABELS.instanceArn]: input.containerInstanceArn,
  };
  const containerArn = input.containerArns?.[name];
  if (containerArn) labels[WHARF_LABELS.containerArn] = containerArn;

  const host: CreateContainerBody["HostConfig"] = {
    NetworkMode: task.networkMode === "awsvpc" ? "none" : task.networkMode,
    CpuShares: cpu && cpu >= MIN_CPU_SHARES ? cpu : MIN_CPU_SHARES,
  };
  const body: CreateContainerBody = { Image: image, Labels: labels, HostConfig: host };
  if (command?.length) body.Cmd = [...command];
  if (def.entryPoint?.length) body.Entrypoint = [...def.entryPoint];
  if (env.length) body.Env = env.map((kv) => `${kv.name ?? ""}=${kv.value ?? ""}`);
  if (def.workingDirectory) body.WorkingDir = def.workingDirectory;
  if (def.user) body.User = def.user;
  if (def.hostname) body.Hostname = def.hostname;
  if (def.stopTimeout !== undefined) body.StopTimeout = def.stopTimeout;
  if (def.interactive) body.OpenStdin = true;
  if (def.pseudoTerminal) body.Tty = true;
  if (def.healthCheck?.command?.length) {
    const s = 1_000_000_000;
    const hc = def.healthCheck;
    body.Healthcheck = {
      Test: [...hc.command!],
      Interval: (hc.interval ?? 30) * s,
      Timeout: (hc.timeout ?? 5) * s,
      Retries: hc.retries ?? 3,
      ...(hc.startPeriod ? { StartPeriod: hc.startPeriod * s } : {}),
    };
  }

  if (memory) host.Memory = memory * MiB;
  if (memoryReservation) host.MemoryReservation = memoryReservation * MiB;
  if (lp?.maxSwap !== undefined && memory) host.MemorySwap = (memory + lp.maxSwap) * MiB;
  if (lp?.swappiness !== undefined) host.MemorySwappiness = lp.swappiness;
  if (def.ulimits?.length) {
    host.Ulimits = def.ulimits.map((u) => ({ Name: u.name!, Soft: u.softLimit!, Hard: u.hardLimit! }));
  }
  if (lp?.initProcessEnabled) host.Init = true;
  if (lp?.capabilities?.add?.length) host.CapAdd = [...lp.capabilities.add];
  if (lp?.capabilities?.drop?.length) host.CapDrop = [...lp.capabilities.drop];
  if (lp?.tmpfs?.length) {
    host.Tmpfs = Object.fromEntries(
      lp.tmpfs.map((t) => [t.containerPath!, [`size=${t.size}m`, ...(t.mountOptions ?? [])].join(",")]),
    );
  }
  if (lp?.sharedMemorySize) host.ShmSize = lp.sharedMemorySize * MiB;
  if (lp?.devices?.length) {
    host.Devices = lp.devices.map((d) => ({
      PathOnHost: d.hostPath!,
      PathInContainer: d.containerPath ?? d.hostPath!,
      CgroupPermissions: d.permissions?.length ? d.permissions.join("") : "rwm",
    }));
  }
  if (def.privileged) host.Privileged = true;
  if (def.readonlyRootFilesystem) host.ReadonlyRootfs = true;
  if (def.extraHosts?.length) host.ExtraHosts = def.extraHosts.map((h) => `${h.hostname}:${h.ipAddress}`);
  if (def.dnsServers?.length) host.Dns = [...def.dnsServers];
  if (def.dnsSearchDomains?.length) host.DnsSearch = [...def.dnsSearchDomains];
  if (def.dockerSecurityOptions?.length) host.SecurityOpt = [...def.dockerSecurityOptions];

  const linksTo: string[] = [];
  if (task.networkMode === "bridge" && def.links?.length) {
    host.Links = def.links.map((link) => {
      const [target, alias] = link.split(":") as [string, string | undefined];
      linksTo.push(target);
      return `${task.dockerNames.get(target) ?? target}:${alias ?? target}`;
    });
  }
  if (task.networkMode === "bridge") applyPortMappings(def, body, input.hostIp);

  const driver = def.logConfiguration?.logDriver;
  if (driver) {
    if ((SUPPORTED_LOG_DRIVERS as readonly string[]).includes(driver)) {
      host.LogConfig = { Type: driver, Config: { ...(def.logConfiguration?.options ?? {}) } };
    } else {
      host.LogConfig = { Type: "json-file", Config: {} };
      labels[WHARF_LABELS.logDriverFallback] = driver;
    }
  }

  return {
    name,
    dockerName: task.dockerNames.get(name)!,
    essential: def.essential !== false,
    stopTimeoutSec: def.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SEC,
    image,
    dependsOn: (def.dependsOn ?? []).map((d) => ({ containerName: d.containerName!, condition: d.condition! })),
    linksTo,
    portMappings: (def.portMappings ?? [])
      .filter((pm) => pm.containerPort !== undefined)
      .map((pm) => ({ containerPort: pm.containerPort!, hostPort: pm.hostPort, protocol: pm.protocol ?? "tcp" })),
    body,
  };
}

/** Bridge mode: ExposedPorts plus PortBindings on the agent's host address; hostPort 0/absent = dynamic. */
function applyPortMappings(def: ContainerDefinition, body: CreateContainerBody, hostIp: string | undefined): void {
  const bindIp = hostIp && hostIp !== "0.0.0.0" ? hostIp : "";
  for (const pm of def.portMappings ?? []) {
    const proto = pm.protocol ?? "tcp";
    const ports: [number, string][] = [];
    if (pm.containerPort !== undefined) ports.push([pm.containerPort, pm.hostPort ? String(pm.hostPort) : ""]);
    else if (pm.containerPortRange) {
      const [lo, hi] = pm.containerPortRange.split("-").map(Number) as [number, number];
      for (let p = lo; p <= (hi ?? lo); p++) ports.push([p, ""]);
    }
    for (const [containerPort, hostPort] of ports) {
      const key = `${containerPort}/${proto}`;
      body.ExposedPorts ??= {};
      body.ExposedPorts[key] = {};
      body.HostConfig.PortBindings ??= {};
      const binding: PortBinding = { HostIp: bindIp, HostPort: hostPort };
      (body.HostConfig.PortBindings[key] ??= []).push(binding);
    }
  }
}
