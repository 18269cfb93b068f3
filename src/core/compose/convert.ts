import { createHash } from "node:crypto";
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { requestFingerprint } from "../fingerprint.js";
import { ComposeError, type ComposeProject, type ComposeService } from "./project.js";
import { nearestFargateSize } from "./units.js";

/**
 * A compose project → the ECS resources `wharf compose up` makes (and `convert` prints), as
 * Docker's ECS integration laid them out: one cluster named after the project, one security
 * group per compose network, a Cloud Map private DNS namespace `<project>.local` in which every
 * service registers under its compose name, one load balancer for every published port
 * (application when all are HTTP on port 80, else network), one target group per published
 * port, and per service a task definition `<project>-<service>` and a Fargate service.
 */

/** The tag on everything the project made: Docker's ECS integration's own key. */
export const PROJECT_TAG = "com.docker.compose.project";
/** The task definition tag holding the fingerprint of what the file registers (what `up` compares). */
export const SPEC_TAG = "wharf.compose.spec";

export interface PlannedSecurityGroup {
  network: string;
  name: string;
  description: string;
  /** Ingress: everything from the group itself, and each published port from anywhere. */
  ingress: { protocol: "tcp" | "udp" | "-1"; fromPort?: number; toPort?: number; cidr?: string; self?: boolean }[];
}

export interface PlannedTargetGroup {
  name: string;
  service: string;
  container: string;
  containerPort: number;
  listenerPort: number;
  protocol: "HTTP" | "TCP";
}

export interface PlannedService {
  name: string;
  family: string;
  taskDefinition: RegisterTaskDefinitionRequest;
  /** requestFingerprint of taskDefinition (without tags), also stored as its SPEC_TAG. */
  spec: string;
  desiredCount: number;
  launchType: "FARGATE";
  securityGroups: string[];
  targetGroups: string[];
  discoveryName: string;
  deploymentConfiguration: { minimumHealthyPercent: number; maximumPercent: number };
  /** Services that must be steady (or healthy) before this one is created. */
  after: { service: string; healthy: boolean }[];
  /** Set when the image is built from `build:`: filled in by `up` after the push. */
  build?: { context: string; dockerfile?: string; args: Record<string, string>; target?: string; repository: string };
}

/**
 * A secret the project's containers take (ECS `secrets`, injected as environment variables). An
 * external one is looked up (`ref`: its ARN, or a Secrets Manager name `up` turns into the ARN);
 * a `file:` or `environment:` one is put into Secrets Manager by `up` under `ref`, tagged with the
 * project, and deleted by `down`.
 */
export interface PlannedSecret {
  name: string;
  ref: string;
  create?: { file: string } | { environment: string };
}

export interface ComposePlan {
  project: string;
  region: string;
  cluster: { name: string; existing: boolean };
  vpc: string | "default";
  securityGroups: PlannedSecurityGroup[];
  namespace: string;
  logGroup: { name: string; retentionInDays?: number };
  loadBalancer?: { name: string; existing: boolean; type: "application" | "network"; listeners: { port: number; protocol: "HTTP" | "TCP"; targetGroup: string }[] };
  targetGroups: PlannedTargetGroup[];
  volumes: { name: string; fileSystemId: string }[];
  secrets: PlannedSecret[];
  services: PlannedService[];
}

export interface ConvertContext {
  region: string;
  /** Images pushed for `build:` services, by service name (else a placeholder naming the repository). */
  builtImages?: Record<string, string>;
  /** Secrets' ARNs by compose secret name (looked up or created by `up`; else the plan shows a placeholder or the ARN written). */
  secretArns?: Record<string, string>;
  /** Env files' variables by the path the service names them with (read by the CLI). */
  envFiles?: Record<string, Record<string, string>>;
}

/** ELB names: at most 32 characters of letters, digits and dashes, not starting or ending with a dash. */
export function elbName(...parts: string[]): string {
  const raw = parts.join("-").replace(/[^A-Za-z0-9-]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "");
  if (raw.length <= 32) return raw;
  const hash = createHash("sha256").update(raw).digest("hex").slice(0, 6);
  return `${raw.slice(0, 25).replace(/-$/, "")}-${hash}`;
}

/** The stand-in EFS file system of a named volume: `fs-` and 17 hex digits derived from project and volume. */
export function volumeFileSystemId(project: string, volume: string): string {
  return `fs-${createHash("sha256").update(`${project}/${volume}`).digest("hex").slice(0, 17)}`;
}

export const secretNameOf = (project: string, secret: string): string => `${project}/${secret}`;

/** A secret's valueFrom: its ARN once known, else what the file wrote when that is an ARN, else a placeholder `up` fills in. */
function valueFromOf(p: ComposeProject, name: string, ctx: ConvertContext): string {
  const known = ctx.secretArns?.[name];
  if (known) return known;
  const top = p.secrets.find((x) => x.name === name)!;
  if ("external" in top && top.external.startsWith("arn:")) return top.external;
  return "external" in top ? `<the ARN of Secrets Manager secret ${top.external}>` : `<the ARN of Secrets Manager secret ${secretNameOf(p.name, name)}, put by up>`;
}

export const familyOf = (project: string, service: string): string => `${project}-${service}`;
export const repositoryOf = (project: string, service: string): string => `${project}/${service}`;

export function convertProject(p: ComposeProject, ctx: ConvertContext): ComposePlan {
  const reasons: string[] = [];
  const published = p.services.flatMap((s) => s.ports.filter((x) => x.published !== undefined).map((x) => ({ s, port: x })));
  const byListener = new Map<number, string>();
  for (const { s, port } of published) {
    const other = byListener.get(port.published!);
    if (other && other !== s.name) reasons.push(`services.${s.name}.ports: port ${port.published} is published by ${other} too; one load balancer listener cannot forward to two services`);
    byListener.set(port.published!, s.name);
  }
  const allHttp = published.length > 0 && published.every(({ port }) => port.published === 80 && port.protocol === "tcp" && (port.appProtocol ?? "http") === "http");
  const lbType = allHttp ? "application" : "network";
  const targetGroups: PlannedTargetGroup[] = published.map(({ s, port }) => ({
    name: elbName(p.name, s.name, String(port.published)),
    service: s.name,
    container: s.name,
    containerPort: port.target,
    listenerPort: port.published!,
    protocol: allHttp ? "HTTP" : "TCP",
  }));
  const sgName = (network: string) => `${p.name}-${network}`;
  const securityGroups: PlannedSecurityGroup[] = p.networks.map((network) => {
    const members = p.services.filter((s) => s.networks.includes(network));
    const ports = [...new Set(members.flatMap((s) => s.ports.filter((x) => x.published !== undefined).map((x) => `${x.protocol}/${x.target}`)))];
    return {
      network,
      name: sgName(network),
      description: `wharf compose project ${p.name}, network ${network}`,
      ingress: [
        { protocol: "-1", self: true },
        ...ports.map((k) => {
          const [protocol, port] = k.split("/");
          return { protocol: protocol as "tcp", fromPort: Number(port), toPort: Number(port), cidr: "0.0.0.0/0" };
        }),
      ],
    };
  });
  const logGroup = `/docker-compose/${p.name}`;
  const services = p.services.map((s) => {
    try {
      return planService(p, s, ctx, logGroup, targetGroups.filter((t) => t.service === s.name).map((t) => t.name), sgName);
    } catch (err) {
      reasons.push((err as Error).message);
      return undefined;
    }
  });
  if (reasons.length) throw new ComposeError(reasons);
  const usedNetworks = new Set(p.services.flatMap((s) => s.networks));
  return {
    project: p.name,
    region: ctx.region,
    cluster: { name: p.cluster ?? p.name, existing: p.cluster !== undefined },
    vpc: p.vpc ?? "default",
    securityGroups: securityGroups.filter((g) => usedNetworks.has(g.network)),
    namespace: `${p.name}.local`,
    logGroup: { name: logGroup, ...(p.logsRetentionDays ? { retentionInDays: p.logsRetentionDays } : {}) },
    ...(published.length
      ? {
          loadBalancer: {
            name: p.loadBalancer ?? elbName(p.name),
            existing: p.loadBalancer !== undefined,
            type: lbType,
            listeners: targetGroups.map((t) => ({ port: t.listenerPort, protocol: t.protocol, targetGroup: t.name })),
          },
        }
      : {}),
    targetGroups,
    volumes: p.volumes.map((name) => ({ name, fileSystemId: volumeFileSystemId(p.name, name) })),
    secrets: p.secrets.map((x) => ({
      name: x.name,
      ...("external" in x ? { ref: x.external } : { ref: secretNameOf(p.name, x.name), create: "file" in x ? { file: x.file } : { environment: x.environment } }),
    })),
    services: services as PlannedService[],
  };
}

function planService(
  p: ComposeProject,
  s: ComposeService,
  ctx: ConvertContext,
  logGroup: string,
  targetGroups: string[],
  sgName: (n: string) => string,
): PlannedService {
  const size = nearestFargateSize(s.cpus, s.memoryMiB);
  if (!size) throw new Error(`services.${s.name}.deploy.resources: no Fargate task size holds ${s.cpus ?? 0} vCPU and ${s.memoryMiB ?? 0} MiB (at most 16 vCPU, 120 GiB)`);
  const family = familyOf(p.name, s.name);
  const repository = repositoryOf(p.name, s.name);
  const image = s.build ? (ctx.builtImages?.[s.name] ?? `<built from ${s.build.context} and pushed to ECR repository ${repository}>`) : s.image!;
  const env: Record<string, string> = {};
  for (const f of s.envFiles) Object.assign(env, ctx.envFiles?.[f.path] ?? {});
  Object.assign(env, s.environment);
  const container: ContainerDefinition = {
    name: s.name,
    image,
    essential: true,
    ...(s.command ? { command: s.command } : {}),
    ...(s.entrypoint ? { entryPoint: s.entrypoint } : {}),
    environment: Object.keys(env)
      .sort()
      .map((name) => ({ name, value: env[name]! })),
    ...(s.secrets.length ? { secrets: s.secrets.map((u) => ({ name: u.env, valueFrom: valueFromOf(p, u.source, ctx) })) } : {}),
    portMappings: s.ports.map((x) => ({ containerPort: x.target, hostPort: x.target, protocol: x.protocol })),
    mountPoints: s.mounts.map((m) => ({ sourceVolume: m.volume, containerPath: m.target, readOnly: m.readOnly })),
    logConfiguration: {
      logDriver: "awslogs",
      options: { "awslogs-group": logGroup, "awslogs-region": ctx.region, "awslogs-stream-prefix": p.name },
    },
    // The project's namespace as search domain, so `api` finds api.<project>.local (Docker's ECS
    // integration did this with a sidecar that edited resolv.conf; AWS refuses dnsSearchDomains with awsvpc).
    dnsSearchDomains: [`${p.name}.local`],
    ...(s.healthcheck
      ? {
          healthCheck: {
            command: s.healthcheck.test,
            ...(s.healthcheck.intervalSec !== undefined ? { interval: s.healthcheck.intervalSec } : {}),
            ...(s.healthcheck.timeoutSec !== undefined ? { timeout: s.healthcheck.timeoutSec } : {}),
            ...(s.healthcheck.retries !== undefined ? { retries: s.healthcheck.retries } : {}),
            ...(s.healthcheck.startPeriodSec !== undefined ? { startPeriod: s.healthcheck.startPeriodSec } : {}),
          },
        }
      : {}),
    ...(s.workingDir ? { workingDirectory: s.workingDir } : {}),
    ...(s.user ? { user: s.user } : {}),
    ...(Object.keys(s.labels).length ? { dockerLabels: s.labels } : {}),
    ...(s.stopTimeoutSec !== undefined ? { stopTimeout: s.stopTimeoutSec } : {}),
    ...(s.init ? { linuxParameters: { initProcessEnabled: true } } : {}),
    ...(s.readOnly ? { readonlyRootFilesystem: true } : {}),
    ...(s.tty ? { pseudoTerminal: true } : {}),
    ...(s.memoryReservationMiB !== undefined ? { memoryReservation: s.memoryReservationMiB } : {}),
    ...(s.ulimits.length ? { ulimits: s.ulimits.map((u) => ({ name: u.name as "nofile", softLimit: u.soft, hardLimit: u.hard })) } : {}),
  };
  const volumes = [...new Set(s.mounts.map((m) => m.volume))].map((name) => ({
    name,
    efsVolumeConfiguration: { fileSystemId: volumeFileSystemId(p.name, name), rootDirectory: "/" },
  }));
  const taskDefinition: RegisterTaskDefinitionRequest = {
    family,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: String(size.cpu),
    memory: String(size.memory),
    containerDefinitions: [container],
    ...(volumes.length ? { volumes } : {}),
  };
  const spec = requestFingerprint(taskDefinition);
  // start-first (ECS's default 100/200) or stop-first (0/100), unless x-aws-*_percent says otherwise.
  const stopFirst = s.updateOrder === "stop-first";
  return {
    name: s.name,
    family,
    taskDefinition: {
      ...taskDefinition,
      tags: [
        { key: PROJECT_TAG, value: p.name },
        { key: SPEC_TAG, value: spec },
      ],
    },
    spec,
    desiredCount: s.replicas,
    launchType: "FARGATE",
    securityGroups: s.networks.map(sgName),
    targetGroups,
    discoveryName: s.name,
    deploymentConfiguration: {
      minimumHealthyPercent: s.minPercent ?? (stopFirst ? 0 : 100),
      maximumPercent: s.maxPercent ?? (stopFirst ? 100 : 200),
    },
    after: s.dependsOn.map((d) => ({ service: d.service, healthy: d.condition === "service_healthy" })),
    ...(s.build ? { build: { ...s.build, repository } } : {}),
  };
}
