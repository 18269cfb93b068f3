import { dockerSafe } from "../container-config.js";
import type { ContainerDefinition, Volume } from "@aws-sdk/client-ecs";
import { join, normalize, resolve, sep } from "node:path";

/**
 * What a task's `volumes[]` become on the host, following amazon-ecs-agent (task.go):
 *
 * - `host.sourcePath` → a bind mount of that host path (Docker creates it when missing).
 * - `dockerVolumeConfiguration` scope `task` (the default) → a Docker volume created for this
 *   task, named `ecs-<family>-<revision>-<volume>-<hex>`, removed when the task ends.
 * - scope `shared` → the Docker volume named exactly like the task volume, kept after the
 *   task and reused by name; created first when `autoprovision` is true, else it must exist.
 * - empty `host` / no configuration → a task-scoped scratch volume (local driver) the task's
 *   containers share.
 * - `efsVolumeConfiguration` → a STAND-IN: a bind mount of
 *   `<efsRoot>/<fileSystemId>/<rootDirectory>`, a host directory every task of the host (and
 *   every agent given the same efsRoot) shares, so definitions that mount EFS run unchanged.
 *   No NFS, no IAM, no access-point semantics (`accessPointId` and transit encryption are
 *   accepted and ignored).
 *
 * Container `mountPoints` become Docker `Binds` (`source:containerPath[:ro]`) and
 * `volumesFrom` becomes `VolumesFrom` (`<docker name>[:ro]`). Pure: no I/O.
 */

export type PlannedVolume =
  | { name: string; kind: "bind"; hostPath: string }
  | { name: string; kind: "efs"; hostPath: string; fileSystemId: string }
  | {
      name: string;
      kind: "docker";
      scope: "task" | "shared";
      /** Docker volume name: generated for task scope (unless one exists already), the volume's name for shared. */
      dockerName: string;
      autoprovision: boolean;
      driver: string;
      driverOpts: Record<string, string>;
      labels: Record<string, string>;
    }
  /** A volume kind this agent cannot provide (EBS configured at launch, FSx for Windows). */
  | { name: string; kind: "unsupported"; why: string };

export interface VolumePlanInput {
  family: string;
  revision: number;
  volumes?: Volume[];
  /** Root of the EFS stand-in directories; undefined when the agent has none configured. */
  efsRoot?: string;
  randomHex: () => string;
}

/** Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*. */

export function planVolumes(input: VolumePlanInput): PlannedVolume[] {
  return (input.volumes ?? []).map((v): PlannedVolume => {
    const name = v.name ?? "";
    if (v.efsVolumeConfiguration) {
      const efs = v.efsVolumeConfiguration;
      const fsId = efs.fileSystemId ?? "";
      if (!input.efsRoot) return { name, kind: "unsupported", why: "the agent has no EFS stand-in directory configured" };
      if (!/^[A-Za-z0-9_.-]+$/.test(fsId)) return { name, kind: "unsupported", why: `invalid EFS fileSystemId '${fsId}'` };
      const base = resolve(input.efsRoot, fsId);
      const hostPath = resolve(join(base, normalize(`/${efs.rootDirectory ?? "/"}`)));
      if (hostPath !== base && !hostPath.startsWith(base + sep)) {
        return { name, kind: "unsupported", why: `EFS rootDirectory '${efs.rootDirectory}' leaves the file system` };
      }
      return { name, kind: "efs", hostPath, fileSystemId: fsId };
    }
    if (v.fsxWindowsFileServerVolumeConfiguration) {
      return { name, kind: "unsupported", why: "FSx for Windows File Server volumes need a Windows container instance" };
    }
    if (v.configuredAtLaunch) {
      return { name, kind: "unsupported", why: "volumes configured at launch (Amazon EBS) are not supported by Wharf" };
    }
    if (v.host?.sourcePath) {
      return { name, kind: "bind", hostPath: v.host.sourcePath };
    }
    const dvc = v.dockerVolumeConfiguration;
    const scope = dvc?.scope === "shared" ? "shared" : "task";
    return {
      name,
      kind: "docker",
      scope,
      dockerName:
        scope === "shared" ? name : `ecs-${dockerSafe(input.family)}-${input.revision}-${dockerSafe(name)}-${input.randomHex()}`,
      autoprovision: scope === "shared" ? dvc?.autoprovision === true : true,
      driver: dvc?.driver || "local",
      driverOpts: { ...(dvc?.driverOpts ?? {}) },
      labels: { ...(dvc?.labels ?? {}) },
    };
  });
}

/** The host-side source of a planned volume in a `Binds` entry. */
export function bindSource(v: PlannedVolume): string | undefined {
  if (v.kind === "bind" || v.kind === "efs") return v.hostPath;
  if (v.kind === "docker") return v.dockerName;
  return undefined;
}

/** `Binds` for one container's mountPoints (volumes not in the plan are skipped; registration refuses them). */
export function containerBinds(def: ContainerDefinition, volumes: readonly PlannedVolume[]): string[] {
  const out: string[] = [];
  for (const mp of def.mountPoints ?? []) {
    const v = volumes.find((x) => x.name === mp.sourceVolume);
    const source = v && bindSource(v);
    if (!source || !mp.containerPath) continue;
    out.push(`${source}:${mp.containerPath}${mp.readOnly ? ":ro" : ""}`);
  }
  return out;
}

/** `VolumesFrom` for one container: the Docker names of its source containers. */
export function containerVolumesFrom(def: ContainerDefinition, dockerNames: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const vf of def.volumesFrom ?? []) {
    const source = vf.sourceContainer && dockerNames.get(vf.sourceContainer);
    if (source) out.push(`${source}${vf.readOnly ? ":ro" : ""}`);
  }
  return out;
}
