import type { ContainerDefinition, ContainerOverride, TaskOverride } from "@aws-sdk/client-ecs";
import { parseTaskSize } from "../../core/task-needs.js";
import { normalizeNetworkMode } from "../container-config.js";
import type { TaskAssignment } from "../../contracts/agent-protocol.js";

/**
 * The JSON the task metadata endpoint v4 answers, built from what the agent knows of a task
 * (its assignment and state) and Docker's inspect of each container. Field names are the real
 * endpoint's (amazon-ecs-agent `ecs-agent/tmds/handlers/v4/state/response.go` and v2's), and
 * timestamps are RFC 3339 strings there, not epoch numbers.
 */

/** What the endpoint reads of a task the agent runs (ManagedTask satisfies it). */
export interface MetadataTask {
  readonly assignment: TaskAssignment;
  /** The agent's known status: NONE, PENDING, RUNNING, STOPPED. */
  readonly status: string;
  readonly pullStartedAt?: number;
  readonly pullStoppedAt?: number;
  snapshot(): { desired: string; containers: { name: string; dockerId?: string; status: string; exitCode?: number }[] };
}

/** The parts of Docker's container inspect the endpoint reports. */
export interface FullInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: {
    Status: string;
    Running: boolean;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    Health?: { Status: string; Log?: { Start: string; End: string; ExitCode: number; Output: string }[] | null };
  };
  Config: { Labels: Record<string, string> | null; Image: string; Env?: string[] | null };
  HostConfig: { NetworkMode: string; LogConfig?: { Type: string; Config: Record<string, string> | null } };
  NetworkSettings: {
    IPAddress?: string;
    Ports: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string }> | null;
  } | null;
}

export interface ResponseContext {
  /** The cluster as the agent was configured with it (a name). */
  cluster: string;
  availabilityZone?: string;
  /** The agent's host address (host-mode addresses and port bindings). */
  hostIp?: string;
}

const NEVER = "0001-01-01T00:00:00Z";
const rfc3339 = (epochSeconds: number | undefined): string | undefined =>
  epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString();
const dockerTime = (t: string | undefined): string | undefined => (t && !t.startsWith("0001-01-01") && t !== NEVER ? t : undefined);

/** Drops undefined members so the JSON has only what the real endpoint would send. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function definition(a: TaskAssignment, name: string): { def: ContainerDefinition; ov?: ContainerOverride } {
  const defs = ((a.taskDefinition as { containerDefinitions?: ContainerDefinition[] }).containerDefinitions ?? []);
  const ovs = ((a.overrides as TaskOverride | undefined)?.containerOverrides ?? []) as ContainerOverride[];
  return { def: defs.find((d) => d.name === name) ?? { name }, ov: ovs.find((o) => o.name === name) };
}

export const networkModeOf = (a: TaskAssignment) =>
  normalizeNetworkMode((a.taskDefinition as { networkMode?: string }).networkMode);

function ports(a: TaskAssignment, def: ContainerDefinition, info: FullInspect | undefined, ctx: ResponseContext) {
  const mode = networkModeOf(a);
  if (mode === "bridge") {
    const out: Record<string, unknown>[] = [];
    for (const [key, list] of Object.entries(info?.NetworkSettings?.Ports ?? {})) {
      const [port, proto] = key.split("/");
      for (const b of (list ?? []).filter((x) => !(x.HostIp ?? "").includes(":"))) {
        out.push({ ContainerPort: Number(port), Protocol: proto ?? "tcp", HostPort: Number(b.HostPort), HostIp: b.HostIp || "0.0.0.0" });
      }
    }
    return out.length ? out : undefined;
  }
  if (mode === "none") return undefined;
  const out = (def.portMappings ?? [])
    .filter((pm) => pm.containerPort !== undefined)
    .map((pm) => compact({
      ContainerPort: pm.containerPort,
      Protocol: pm.protocol ?? "tcp",
      HostPort: pm.containerPort,
      HostIp: mode === "host" ? (ctx.hostIp ?? "0.0.0.0") : undefined,
    }));
  return out.length ? out : undefined;
}

function networks(a: TaskAssignment, info: FullInspect | undefined, ctx: ResponseContext) {
  const mode = networkModeOf(a);
  if (mode === "awsvpc" && a.eni) {
    const e = a.eni;
    const prefix = e.subnetCidrBlock.split("/")[1];
    return [
      {
        NetworkMode: "awsvpc",
        IPv4Addresses: [e.privateIpv4Address],
        AttachmentIndex: 0,
        MACAddress: e.macAddress,
        IPv4SubnetCIDRBlock: e.subnetCidrBlock,
        PrivateDNSName: e.privateDnsName,
        SubnetGatewayIpv4Address: `${e.subnetGatewayIpv4Address}/${prefix}`,
      },
    ];
  }
  if (mode === "bridge") {
    const ips = Object.values(info?.NetworkSettings?.Networks ?? {})
      .map((n) => n.IPAddress)
      .filter((ip): ip is string => !!ip);
    return [compact({ NetworkMode: "bridge", IPv4Addresses: ips.length ? ips : undefined })];
  }
  if (mode === "host") return [compact({ NetworkMode: "host", IPv4Addresses: ctx.hostIp ? [ctx.hostIp] : undefined })];
  return [{ NetworkMode: mode }];
}

function health(def: ContainerDefinition, info: FullInspect | undefined) {
  const h = info?.State.Health;
  if (!def.healthCheck || !h) return undefined;
  const last = h.Log?.[h.Log.length - 1];
  const status = h.Status === "healthy" ? "HEALTHY" : h.Status === "unhealthy" ? "UNHEALTHY" : "UNKNOWN";
  return compact({ status, statusSince: last?.End, exitCode: last?.ExitCode, output: last?.Output });
}

/** `${URI}`: one container. */
export function containerResponse(
  task: MetadataTask,
  name: string,
  info: FullInspect | undefined,
  ctx: ResponseContext,
): Record<string, unknown> {
  const a = task.assignment;
  const snap = task.snapshot();
  const c = snap.containers.find((x) => x.name === name);
  const { def, ov } = definition(a, name);
  const stopped = c?.status === "STOPPED";
  const exitCode = c?.exitCode ?? (stopped && info ? info.State.ExitCode : undefined);
  const log = def.logConfiguration;
  return compact({
    DockerId: c?.dockerId ?? info?.Id ?? "",
    Name: name,
    DockerName: info ? info.Name.replace(/^\//, "") : "",
    Image: def.image ?? info?.Config.Image ?? "",
    ImageID: info?.Image ?? "",
    Ports: ports(a, def, info, ctx),
    Labels: info?.Config.Labels ?? undefined,
    DesiredStatus: snap.desired === "RUNNING" ? "RUNNING" : "STOPPED",
    KnownStatus: c?.status ?? "NONE",
    ExitCode: exitCode,
    Limits: { CPU: ov?.cpu ?? def.cpu ?? 0, Memory: ov?.memory ?? def.memory ?? 0 },
    CreatedAt: dockerTime(info?.Created),
    StartedAt: dockerTime(info?.State.StartedAt),
    FinishedAt: stopped ? dockerTime(info?.State.FinishedAt) : undefined,
    Type: "NORMAL",
    Health: health(def, info),
    LogDriver: log?.logDriver ?? info?.HostConfig.LogConfig?.Type,
    LogOptions: log ? (log.options ?? {}) : (info?.HostConfig.LogConfig?.Config ?? undefined),
    ContainerARN: a.containers.find((x) => x.name === name)?.containerArn,
    Networks: networks(a, info, ctx),
  });
}

/** `${URI}/task`: the task and its containers (those Docker has created). */
export function taskResponse(
  task: MetadataTask,
  infos: ReadonlyMap<string, FullInspect>,
  ctx: ResponseContext,
  tags?: { TaskTags?: Record<string, string>; ContainerInstanceTags?: Record<string, string>; Errors?: unknown[] },
): Record<string, unknown> {
  const a = task.assignment;
  const td = a.taskDefinition as { family?: string; revision?: number; cpu?: string; memory?: string };
  const snap = task.snapshot();
  const cpu = parseTaskSize(a.cpu ?? td.cpu, "cpu");
  const memory = parseTaskSize(a.memory ?? td.memory, "memory");
  const limits = cpu || memory ? compact({ CPU: cpu ? cpu / 1024 : undefined, Memory: memory || undefined }) : undefined;
  const service = a.group?.startsWith("service:") ? a.group.slice("service:".length) : undefined;
  const fargate = a.launchType === "FARGATE";
  // Fargate's answer: the cluster's ARN, the task's own zone, its ephemeral storage (Reserved MiB,
  // and Utilized: what its containers wrote to their writable layers, when Docker reports it).
  const written = [...infos.values()].reduce((s, i) => s + ((i as { SizeRw?: number }).SizeRw ?? 0), 0);
  const storage =
    fargate && a.ephemeralStorageGiB !== undefined
      ? { EphemeralStorageMetrics: { Utilized: Math.ceil(written / (1024 * 1024)), Reserved: a.ephemeralStorageGiB * 1024 } }
      : {};
  return compact({
    Cluster: fargate ? a.clusterArn : ctx.cluster,
    TaskARN: a.taskArn,
    Family: td.family ?? "",
    ServiceName: service,
    Revision: String(td.revision ?? ""),
    DesiredStatus: snap.desired === "RUNNING" ? "RUNNING" : "STOPPED",
    KnownStatus: task.status,
    Limits: limits,
    PullStartedAt: rfc3339(task.pullStartedAt),
    PullStoppedAt: rfc3339(task.pullStoppedAt),
    AvailabilityZone: (fargate ? a.availabilityZone : undefined) ?? ctx.availabilityZone,
    ...storage,
    ...(tags ?? {}),
    LaunchType: a.launchType,
    Containers: snap.containers
      .filter((c) => c.dockerId)
      .map((c) => containerResponse(task, c.name, infos.get(c.name), ctx)),
    FaultInjectionEnabled: false,
  });
}
