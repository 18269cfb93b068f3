import type { ContainerDefinition, PortMapping } from "@aws-sdk/client-ecs";
import { clientException } from "../errors.js";
import { hasHealthCheck } from "../task-health.js";

/**
 * Rules for one container definition, checked against the rest of the task (network mode,
 * sibling containers, volumes). Messages follow ECS's wording where it is known
 * ("Invalid 'containerPort' setting for container 'web'.") and always name the field.
 */

export const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;

/** What a container's rules need to know about the task around it. */
export interface TaskContext {
  /** Effective network mode: the given one, or bridge when absent (ECS's default on Linux). */
  networkMode: string;
  byName: ReadonlyMap<string, ContainerDefinition>;
  volumeNames: ReadonlySet<string>;
}

const bad = (field: string, name: string, why?: string) =>
  clientException(`Invalid '${field}' setting for container '${name}'.${why ? ` ${why}` : ""}`);

export const isEssential = (c: ContainerDefinition): boolean => c.essential !== false;

/** Name and image: the two members every container needs. */
export function checkIdentity(c: ContainerDefinition): void {
  if (c.name === undefined || c.name === "") throw clientException("Container.name should not be null or empty.");
  if (c.name.length > 255) throw clientException(`Container.name cannot be longer than 255 characters (got ${c.name.length}).`);
  if (!NAME_RE.test(c.name)) {
    throw clientException(
      `Container.name contains invalid characters: '${c.name}'. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.`,
    );
  }
  if (c.image === undefined || c.image.trim() === "") {
    throw clientException(`Container.image should not be null or empty (container '${c.name}').`);
  }
}

export function checkContainer(c: ContainerDefinition, task: TaskContext, taskMemory: number | undefined): void {
  const name = c.name!;
  checkResources(c, name, taskMemory);
  checkPorts(c.portMappings ?? [], name, task.networkMode);
  checkLinks(c, name, task);
  checkHealthCheck(c, name);
  checkDependsOn(c, name, task);
  for (const mp of c.mountPoints ?? []) {
    if (!mp.sourceVolume || !task.volumeNames.has(mp.sourceVolume)) {
      throw bad("mountPoints", name, `sourceVolume '${mp.sourceVolume ?? ""}' is not defined in the task definition's volumes.`);
    }
    if (!mp.containerPath) throw bad("mountPoints", name, "containerPath should not be null or empty.");
  }
  for (const vf of c.volumesFrom ?? []) {
    if (!vf.sourceContainer || !task.byName.has(vf.sourceContainer) || vf.sourceContainer === name) {
      throw bad("volumesFrom", name, `sourceContainer '${vf.sourceContainer ?? ""}' must name another container in the task definition.`);
    }
  }
  if (c.hostname !== undefined && task.networkMode === "awsvpc") {
    throw clientException("hostname is not supported on container when networkMode=awsvpc.");
  }
}

function checkResources(c: ContainerDefinition, name: string, taskMemory: number | undefined): void {
  if (c.cpu !== undefined && c.cpu < 0) throw bad("cpu", name, "cpu must be 0 or more CPU units.");
  if (c.memory !== undefined && c.memory < 6) throw bad("memory", name, "The minimum is 6 MiB.");
  if (c.memoryReservation !== undefined && c.memoryReservation < 6) {
    throw bad("memoryReservation", name, "The minimum is 6 MiB.");
  }
  if (taskMemory === undefined && !c.memory && !c.memoryReservation) {
    throw clientException(
      `Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
    );
  }
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    throw bad("memoryReservation", name, "'memoryReservation' must be less than or equal to 'memory'.");
  }
  if (taskMemory !== undefined && c.memory !== undefined && c.memory > taskMemory) {
    throw bad("memory", name, "A container's 'memory' cannot be greater than the task 'memory'.");
  }
}

function checkPorts(mappings: PortMapping[], name: string, networkMode: string): void {
  if (mappings.length > 0 && networkMode === "none") {
    throw clientException(`Invalid 'portMappings' setting for container '${name}'. Port mappings are not supported when networkMode=none.`);
  }
  const seen = new Set<string>();
  for (const pm of mappings) {
    if (pm.containerPortRange !== undefined) {
      const m = /^(\d+)-(\d+)$/.exec(pm.containerPortRange);
      if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) >= Number(m[2])) {
        throw bad("containerPortRange", name, "Use the form 'start-end' with 1 <= start < end <= 65535.");
      }
      if (pm.containerPort !== undefined || pm.hostPort !== undefined) {
        throw bad("containerPortRange", name, "containerPort and hostPort cannot be set together with containerPortRange.");
      }
      continue;
    }
    const cp = pm.containerPort;
    if (cp === undefined || !Number.isInteger(cp) || cp < 1 || cp > 65535) throw bad("containerPort", name);
    const hp = pm.hostPort;
    if (hp !== undefined && (!Number.isInteger(hp) || hp < 0 || hp > 65535)) throw bad("hostPort", name);
    if ((networkMode === "awsvpc" || networkMode === "host") && hp !== undefined && hp !== 0 && hp !== cp) {
      throw clientException(`When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`);
    }
    const key = `${cp}/${pm.protocol ?? "tcp"}`;
    if (seen.has(key)) {
      throw bad("portMappings", name, `Container port ${key} is mapped more than once.`);
    }
    seen.add(key);
  }
}

function checkLinks(c: ContainerDefinition, name: string, task: TaskContext): void {
  if (!c.links || c.links.length === 0) return;
  if (task.networkMode !== "bridge") {
    throw clientException(`Links are not supported when networkMode=${task.networkMode}.`);
  }
  for (const link of c.links) {
    const [target, alias, ...rest] = link.split(":");
    if (!target || rest.length > 0 || (alias !== undefined && !NAME_RE.test(alias))) {
      throw bad("links", name, `'${link}' is not of the form name or name:alias.`);
    }
    if (!task.byName.has(target) || target === name) {
      throw bad("links", name, `Linked container '${target}' must be another container in the task definition.`);
    }
  }
}

/** healthCheck ranges and defaults from the HealthCheck docs (interval 5–300, timeout 2–60, …). */
export const HEALTH_CHECK_LIMITS = {
  interval: { min: 5, max: 300, default: 30 },
  timeout: { min: 2, max: 60, default: 5 },
  retries: { min: 1, max: 10, default: 3 },
  startPeriod: { min: 0, max: 300, default: 0 },
} as const;

function checkHealthCheck(c: ContainerDefinition, name: string): void {
  const hc = c.healthCheck;
  if (!hc) return;
  const cmd = hc.command ?? [];
  if (cmd.length === 0 || !["CMD", "CMD-SHELL", "NONE"].includes(cmd[0]!)) {
    throw bad("healthCheck.command", name, "The command must be a non-empty list starting with CMD, CMD-SHELL or NONE.");
  }
  if (cmd[0] !== "NONE" && cmd.length < 2) {
    throw bad("healthCheck.command", name, `${cmd[0]} must be followed by the command to run.`);
  }
  for (const field of ["interval", "timeout", "retries", "startPeriod"] as const) {
    const v = hc[field];
    const lim = HEALTH_CHECK_LIMITS[field];
    if (v !== undefined && (v < lim.min || v > lim.max)) {
      const unit = field === "retries" ? "" : " seconds";
      throw bad(`healthCheck.${field}`, name, `Valid values are ${lim.min}-${lim.max}${unit}.`);
    }
  }
}

function checkDependsOn(c: ContainerDefinition, name: string, task: TaskContext): void {
  for (const dep of c.dependsOn ?? []) {
    const target = dep.containerName ?? "";
    const other = task.byName.get(target);
    if (!other || target === name) {
      throw bad("dependsOn", name, `containerName '${target}' must name another container in the task definition.`);
    }
    if (dep.condition === "HEALTHY" && !hasHealthCheck(other)) {
      throw bad("dependsOn", name, `Condition HEALTHY requires container '${target}' to have a healthCheck.`);
    }
    if ((dep.condition === "SUCCESS" || dep.condition === "COMPLETE") && isEssential(other)) {
      throw clientException(
        `A dependency container with SUCCESS or COMPLETE condition cannot be an essential container (container '${name}' depends on '${target}').`,
      );
    }
  }
}

/** Refuses dependsOn cycles (a → b → a), which could never start. */
export function checkDependencyCycles(containers: ContainerDefinition[]): void {
  const edges = new Map(containers.map((c) => [c.name!, (c.dependsOn ?? []).map((d) => d.containerName ?? "")]));
  const state = new Map<string, "visiting" | "done">();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === "done") return;
    if (state.get(n) === "visiting") {
      throw clientException(`Invalid 'dependsOn' setting: containers depend on each other in a cycle (${[...path, n].join(" -> ")}).`);
    }
    state.set(n, "visiting");
    for (const next of edges.get(n) ?? []) visit(next, [...path, n]);
    state.set(n, "done");
  };
  for (const n of edges.keys()) visit(n, []);
}

/**
 * Host ports taken twice in one task clash when the task starts ("TCP host port '80' is mapped
 * multiple times in task."). In awsvpc/host modes the host port is the container port.
 */
export function checkHostPortClashes(containers: ContainerDefinition[], networkMode: string): void {
  const seen = new Set<string>();
  const names = new Set<string>();
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      if (pm.name !== undefined) {
        if (names.has(pm.name)) throw clientException(`Invalid 'portMappings' setting: port mapping name '${pm.name}' is used more than once in the task definition.`);
        names.add(pm.name);
      }
      if (pm.containerPort === undefined) continue;
      const host = networkMode === "awsvpc" || networkMode === "host" ? pm.containerPort : (pm.hostPort ?? 0);
      if (host === 0) continue;
      const proto = (pm.protocol ?? "tcp").toUpperCase();
      const key = `${proto}/${host}`;
      if (seen.has(key)) throw clientException(`${proto} host port '${host}' is mapped multiple times in task.`);
      seen.add(key);
    }
  }
}
