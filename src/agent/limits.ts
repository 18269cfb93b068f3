import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DockerClient } from "./docker/client.js";
import type { CreateContainerBody } from "./docker/types.js";

/**
 * Resource limits. Container level (container-config.ts already writes these, this module adds
 * the swap rule): `cpu` → CpuShares, `memory` → a hard Memory limit, `memoryReservation` →
 * MemoryReservation (soft). Wharf sets MemorySwap equal to Memory (no swap) unless the
 * definition gives `linuxParameters.maxSwap`, so a container over its limit is OOM-killed as
 * on the ECS-optimized AMI (which has no swap) instead of swapping.
 *
 * Task level (`cpu`/`memory` of the task, after overrides) is a HARD limit for the whole task,
 * as the ECS agent does with its per-task cgroup: one parent cgroup per task,
 * `/wharf/<task id>`, created under the cgroup v1 `memory` and `cpu` controllers with
 * `memory.limit_in_bytes` (+ `memory.memsw.limit_in_bytes`, no swap) and
 * `cpu.cfs_quota_us = cpu / 1024 × cpu.cfs_period_us`; every container of the task is created
 * with `CgroupParent` pointing at it (Docker's cgroupfs driver creates the other controllers'
 * directories itself), and the directories are removed after the task.
 *
 * That needs cgroup v1 with Docker's cgroupfs driver, a local Engine (the agent writes the
 * host's /sys/fs/cgroup) and a writable cgroup tree. Anywhere else (cgroup v2, the systemd
 * driver, a remote Engine, `WHARF_TASK_CGROUPS=off`) Wharf falls back to per-container caps:
 * a container with no hard memory limit of its own gets the task's memory as its limit, and
 * each container gets the task's CPU as a CFS quota. That bounds each container, not their sum.
 */

export const CFS_PERIOD_US = 100_000;
const MiB = 1024 * 1024;

export interface CgroupSupport {
  mode: "cgroup-v1" | "none";
  /** The cgroup mount root, e.g. /sys/fs/cgroup. */
  root: string;
  /** Why task-level cgroups are not used (mode none). */
  reason?: string;
}

const detected = new WeakMap<DockerClient, Promise<CgroupSupport>>();

/** Whether task-level cgroups work with this Engine; checked once per DockerClient. */
export function cgroupSupport(docker: DockerClient, root = "/sys/fs/cgroup"): Promise<CgroupSupport> {
  let p = detected.get(docker);
  if (!p) {
    p = detect(docker, root).catch((err: Error) => ({ mode: "none" as const, root, reason: err.message }));
    detected.set(docker, p);
  }
  return p;
}

async function detect(docker: DockerClient, root: string): Promise<CgroupSupport> {
  const none = (reason: string): CgroupSupport => ({ mode: "none", root, reason });
  if (process.env.WHARF_TASK_CGROUPS === "off") return none("WHARF_TASK_CGROUPS=off");
  if (!("socketPath" in docker.endpoint)) return none("the Docker Engine is remote; the agent cannot write its host's cgroups");
  const info = (await docker.info()) as unknown as { CgroupDriver?: string; CgroupVersion?: string };
  if (info.CgroupDriver !== "cgroupfs") return none(`Docker's cgroup driver is ${info.CgroupDriver ?? "unknown"}, not cgroupfs`);
  if (info.CgroupVersion && info.CgroupVersion !== "1") return none(`cgroup v${info.CgroupVersion} (task cgroups need cgroup v1)`);
  for (const file of ["memory/memory.limit_in_bytes", "cpu/cpu.cfs_quota_us"]) {
    if (!existsSync(join(root, file))) return none(`${join(root, file)} is missing`);
  }
  try {
    for (const ctrl of ["memory", "cpu"]) {
      mkdirSync(join(root, ctrl, "wharf"), { recursive: true });
      accessSync(join(root, ctrl, "wharf"), constants.W_OK);
    }
  } catch (err) {
    return none(`cannot write ${root}: ${(err as Error).message}`);
  }
  return { mode: "cgroup-v1", root };
}

export interface TaskLimits {
  /** CPU units (1024 = one vCPU). */
  cpuUnits?: number;
  memoryMiB?: number;
}

/** Parses the assignment's task-level cpu/memory strings (already normalised to units / MiB). */
export function taskLimits(cpu: string | undefined, memory: string | undefined): TaskLimits {
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s.trim()) ? Number(s) : undefined);
  return { cpuUnits: num(cpu), memoryMiB: num(memory) };
}

export const hasTaskLimits = (l: TaskLimits): boolean => !!l.cpuUnits || !!l.memoryMiB;

const taskIdOf = (taskArn: string): string => taskArn.slice(taskArn.lastIndexOf("/") + 1);

/** The CgroupParent of a task's containers. */
export const taskCgroupParent = (taskArn: string): string => `/wharf/${taskIdOf(taskArn)}`;

/** CFS quota for CPU units: units / 1024 of one CPU per period (at least 1 ms, the kernel's floor). */
export const cfsQuotaUs = (cpuUnits: number): number => Math.max(1000, Math.round((cpuUnits / 1024) * CFS_PERIOD_US));

/** Creates the task's parent cgroup with its limits; returns the CgroupParent path. Idempotent. */
export function createTaskCgroup(support: CgroupSupport, taskArn: string, limits: TaskLimits): string {
  const parent = taskCgroupParent(taskArn);
  if (limits.memoryMiB) {
    const dir = join(support.root, "memory", parent);
    mkdirSync(dir, { recursive: true });
    const bytes = String(limits.memoryMiB * MiB);
    writeFileSync(join(dir, "memory.limit_in_bytes"), bytes);
    // Swap accounting may be off (no memsw files): then there is no swap to limit.
    if (existsSync(join(dir, "memory.memsw.limit_in_bytes"))) writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), bytes);
  }
  if (limits.cpuUnits) {
    const dir = join(support.root, "cpu", parent);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "cpu.cfs_period_us"), String(CFS_PERIOD_US));
    writeFileSync(join(dir, "cpu.cfs_quota_us"), String(cfsQuotaUs(limits.cpuUnits)));
  }
  return parent;
}

/**
 * Removes the task's cgroup directories under every controller (Docker created some of them).
 * Returns the directories that could not be removed (still in use).
 */
export function removeTaskCgroup(root: string, taskArn: string): string[] {
  const parent = taskCgroupParent(taskArn);
  const left: string[] = [];
  let controllers: string[] = [];
  try {
    controllers = readdirSync(root);
  } catch {
    return left;
  }
  for (const ctrl of controllers) {
    const dir = join(root, ctrl, parent);
    if (!existsSync(dir)) continue;
    try {
      rmdirSync(dir);
    } catch {
      left.push(dir);
    }
  }
  return left;
}

/**
 * Adds the limit settings to one container's create body: MemorySwap = Memory when no swap
 * was asked for, the task's CgroupParent, or (without task cgroups) the per-container fallback.
 */
export function applyContainerLimits(
  body: CreateContainerBody,
  opts: { cgroupParent?: string; fallback?: TaskLimits; maxSwapGiven: boolean },
): void {
  const host = body.HostConfig as CreateContainerBody["HostConfig"] & { CgroupParent?: string; CpuPeriod?: number; CpuQuota?: number };
  if (opts.cgroupParent) host.CgroupParent = opts.cgroupParent;
  else if (opts.fallback) {
    if (opts.fallback.memoryMiB && !host.Memory) host.Memory = opts.fallback.memoryMiB * MiB;
    if (opts.fallback.cpuUnits) {
      host.CpuPeriod = CFS_PERIOD_US;
      host.CpuQuota = cfsQuotaUs(opts.fallback.cpuUnits);
    }
  }
  if (host.Memory && !opts.maxSwapGiven) host.MemorySwap = host.Memory;
}
