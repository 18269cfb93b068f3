import type { DockerClient } from "../docker/client.js";
import { DockerApiError } from "../docker/errors.js";
import { call } from "../docker/transport.js";

/** The Docker Engine volume endpoints the agent uses (API 1.41), over the agent's DockerClient. */

export interface DockerVolume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
  Scope: string;
}

const q = encodeURIComponent;

export function createVolume(
  docker: DockerClient,
  body: { Name: string; Driver?: string; DriverOpts?: Record<string, string>; Labels?: Record<string, string> },
): Promise<DockerVolume> {
  return call(docker.endpoint, { method: "POST", path: "/volumes/create", body });
}

/** The volume, or undefined when Docker has none of that name. */
export async function inspectVolume(docker: DockerClient, name: string): Promise<DockerVolume | undefined> {
  try {
    return await call<DockerVolume>(docker.endpoint, { method: "GET", path: `/volumes/${q(name)}` });
  } catch (err) {
    if (err instanceof DockerApiError && err.statusCode === 404) return undefined;
    throw err;
  }
}

/** Removes a volume; a missing one is fine. A volume still in use fails with 409. */
export async function removeVolume(docker: DockerClient, name: string): Promise<void> {
  try {
    await call(docker.endpoint, { method: "DELETE", path: `/volumes/${q(name)}` });
  } catch (err) {
    if (err instanceof DockerApiError && err.statusCode === 404) return;
    throw err;
  }
}

/** Every volume carrying all the given labels. */
export async function listVolumes(docker: DockerClient, labels: Record<string, string>): Promise<DockerVolume[]> {
  const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
  const out = await call<{ Volumes: DockerVolume[] | null }>(docker.endpoint, { method: "GET", path: `/volumes?filters=${q(filters)}` });
  return out.Volumes ?? [];
}
