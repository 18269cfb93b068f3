import type { Volume } from "@aws-sdk/client-ecs";
import { clientException } from "../errors.js";
import { NAME_RE } from "./containers.js";

/**
 * RegisterTaskDefinition's rules for `volumes[]` (container `mountPoints`/`volumesFrom` are
 * checked per container in containers.ts). Messages are ECS's where known:
 *   - "When 'scope' parameter is 'task', 'autoprovision' must either not be specified or set to 'True'."
 *   - "host.sourcePath should not be blank."
 * and otherwise name the volume and the field. Pure.
 */

const CONFIG_KINDS = [
  "host",
  "dockerVolumeConfiguration",
  "efsVolumeConfiguration",
  "fsxWindowsFileServerVolumeConfiguration",
] as const;

/** Checks every volume; returns the set of volume names. */
export function checkVolumes(volumes: readonly Volume[]): Set<string> {
  const names = new Set<string>();
  for (const v of volumes) {
    if (!v.name || !NAME_RE.test(v.name)) {
      throw clientException(`Invalid 'volumes' setting: volume name '${v.name ?? ""}' must be 1-255 letters, numbers, underscores and hyphens.`);
    }
    if (names.has(v.name)) throw clientException(`Invalid 'volumes' setting: volume name '${v.name}' is used more than once.`);
    names.add(v.name);
    checkVolume(v, v.name);
  }
  return names;
}

function checkVolume(v: Volume, name: string): void {
  const kinds = CONFIG_KINDS.filter((k) => v[k] !== undefined);
  if (kinds.length > 1) {
    throw clientException(`Invalid 'volumes' setting for volume '${name}': specify only one of ${kinds.join(", ")}.`);
  }
  if (v.host?.sourcePath !== undefined && v.host.sourcePath.trim() === "") {
    throw clientException("host.sourcePath should not be blank.");
  }
  const dvc = v.dockerVolumeConfiguration;
  if (dvc) {
    const scope = dvc.scope ?? "task";
    if (scope === "task" && dvc.autoprovision === false) {
      throw clientException("When 'scope' parameter is 'task', 'autoprovision' must either not be specified or set to 'True'.");
    }
    if (dvc.driver !== undefined && dvc.driver.trim() === "") {
      throw clientException(`Invalid 'dockerVolumeConfiguration' setting for volume '${name}': driver should not be blank.`);
    }
  }
  const efs = v.efsVolumeConfiguration;
  if (efs) {
    if (!efs.fileSystemId?.trim()) {
      throw clientException(`Invalid 'efsVolumeConfiguration' setting for volume '${name}': fileSystemId should not be blank.`);
    }
    const auth = efs.authorizationConfig;
    if ((auth?.iam === "ENABLED" || auth?.accessPointId) && efs.transitEncryption !== "ENABLED") {
      throw clientException(
        `Invalid 'efsVolumeConfiguration' setting for volume '${name}': transitEncryption must be ENABLED when an access point or IAM authorization is used.`,
      );
    }
    if (auth?.accessPointId && efs.rootDirectory !== undefined && efs.rootDirectory !== "/") {
      throw clientException(
        `Invalid 'efsVolumeConfiguration' setting for volume '${name}': rootDirectory must be omitted or set to '/' when an access point is used.`,
      );
    }
    if (efs.transitEncryptionPort !== undefined && efs.transitEncryption !== "ENABLED") {
      throw clientException(
        `Invalid 'efsVolumeConfiguration' setting for volume '${name}': transitEncryptionPort needs transitEncryption ENABLED.`,
      );
    }
  }
}
