import { networkInterfaces } from "node:os";
import type { DockerClient } from "../docker/client.js";
import { DockerApiError } from "../docker/errors.js";
import { call } from "../docker/transport.js";
import type { VpcBridge } from "../../core/network/vpc-routes.js";

/**
 * The Docker networks behind awsvpc subnets: one user-defined bridge network per subnet id,
 * named `wharf-<subnetId>`, with the subnet's CIDR and gateway, labelled as Wharf's so it is
 * removed again once no task uses it (and never one Wharf did not create). The network also
 * carries its subnet's VPC (`com.wharf.vpc-id`), which the firewall reads to route between the
 * subnets of one VPC (listVpcBridges; src/core/network/vpc-routes.ts).
 */

export const NETWORK_LABELS = {
  managed: "com.wharf.managed",
  subnetId: "com.wharf.subnet-id",
  vpcId: "com.wharf.vpc-id",
} as const;

export const subnetNetworkName = (subnetId: string): string => `wharf-${subnetId}`;

export interface NetworkInspect {
  Id: string;
  Name: string;
  Driver: string;
  IPAM: { Config: { Subnet?: string; Gateway?: string }[] | null };
  Labels: Record<string, string> | null;
  Containers: Record<string, unknown> | null;
  Options: Record<string, string> | null;
}

const q = encodeURIComponent;

/** A network by name or id; undefined when Docker has none. */
export async function inspectNetwork(docker: DockerClient, name: string): Promise<NetworkInspect | undefined> {
  try {
    return await call<NetworkInspect>(docker.endpoint, { method: "GET", path: `/networks/${q(name)}` });
  } catch (err) {
    if (err instanceof DockerApiError && err.statusCode === 404) return undefined;
    throw err;
  }
}

/** Thrown when the network cannot be had; its name is the ECS reason prefix (TaskFailedToStart). */
export class ResourceInitializationError extends Error {
  override name = "ResourceInitializationError";
}

/**
 * The subnet's network, created on first use. An existing network of that name must have the
 * subnet's CIDR: anything else (another control plane's allocation, a user's network) is refused
 * rather than silently used.
 */
export async function ensureSubnetNetwork(
  docker: DockerClient,
  subnet: { subnetId: string; cidrBlock: string; gateway: string; vpcId?: string },
): Promise<NetworkInspect> {
  const name = subnetNetworkName(subnet.subnetId);
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await inspectNetwork(docker, name);
    if (found) {
      const subnets = (found.IPAM.Config ?? []).map((c) => c.Subnet);
      if (!subnets.includes(subnet.cidrBlock)) {
        throw new ResourceInitializationError(
          `Docker network ${name} exists with subnet ${subnets.join(", ") || "(none)"}, but ${subnet.subnetId} is ${subnet.cidrBlock}; remove the network or use another subnet id`,
        );
      }
      return found;
    }
    try {
      await call(docker.endpoint, {
        method: "POST",
        path: "/networks/create",
        body: {
          Name: name,
          CheckDuplicate: true,
          Driver: "bridge",
          IPAM: { Driver: "default", Config: [{ Subnet: subnet.cidrBlock, Gateway: subnet.gateway }] },
          Labels: {
            [NETWORK_LABELS.managed]: "true",
            [NETWORK_LABELS.subnetId]: subnet.subnetId,
            ...(subnet.vpcId ? { [NETWORK_LABELS.vpcId]: subnet.vpcId } : {}),
          },
        },
      });
    } catch (err) {
      // 409: someone created it meanwhile (look again); anything else (a pool overlap) is final.
      if (err instanceof DockerApiError && err.statusCode === 409) continue;
      throw new ResourceInitializationError(
        `cannot create Docker network ${name} (${subnet.cidrBlock}): ${(err as Error).message}`,
      );
    }
  }
  throw new ResourceInitializationError(`Docker network ${name} could not be created or found`);
}

/** Removes the subnet's network if Wharf created it and no container uses it any more. */
export async function removeSubnetNetworkIfUnused(docker: DockerClient, subnetId: string): Promise<boolean> {
  const found = await inspectNetwork(docker, subnetNetworkName(subnetId)).catch(() => undefined);
  if (!found || found.Labels?.[NETWORK_LABELS.managed] !== "true") return false;
  if (Object.keys(found.Containers ?? {}).length > 0) return false;
  try {
    await call(docker.endpoint, { method: "DELETE", path: `/networks/${q(found.Id)}` });
    return true;
  } catch {
    return false; // in use again (403) or already gone (404)
  }
}

/** The Linux bridge of a bridge network: its configured name, else Docker's `br-` + 12 hex of its id. */
export const bridgeNameOf = (n: Pick<NetworkInspect, "Id" | "Options">): string =>
  n.Options?.["com.docker.network.bridge.name"] || `br-${n.Id.slice(0, 12)}`;

/**
 * The host's subnet networks that Wharf created with a VPC label, as the firewall routes them.
 * A network made before networks carried their VPC has no label and is not routed.
 */
export async function listVpcBridges(docker: DockerClient): Promise<VpcBridge[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [`${NETWORK_LABELS.managed}=true`] }));
  const list = await call<NetworkInspect[]>(docker.endpoint, { method: "GET", path: `/networks?filters=${filters}` });
  const out: VpcBridge[] = [];
  for (const n of list) {
    const vpcId = n.Labels?.[NETWORK_LABELS.vpcId];
    const subnetId = n.Labels?.[NETWORK_LABELS.subnetId];
    const cidrBlock = n.IPAM?.Config?.[0]?.Subnet;
    if (n.Driver !== "bridge" || !vpcId || !subnetId || !cidrBlock || n.Name !== subnetNetworkName(subnetId)) continue;
    out.push({ vpcId, subnetId, cidrBlock, bridge: bridgeNameOf(n) });
  }
  return out;
}

/**
 * The address bridge-mode containers reach the host on: the default bridge network's gateway
 * (Docker does not always list it, so else the bridge interface's address, else the subnet's .1).
 */
export async function bridgeGateway(docker: DockerClient): Promise<string> {
  const net = await inspectNetwork(docker, "bridge").catch(() => undefined);
  const cfg = net?.IPAM.Config?.[0];
  if (cfg?.Gateway) return cfg.Gateway.split("/")[0]!;
  const ifName = net?.Options?.["com.docker.network.bridge.name"] ?? "docker0";
  const addr = networkInterfaces()[ifName]?.find((a) => a.family === "IPv4")?.address;
  if (addr) return addr;
  if (cfg?.Subnet) {
    const [base] = cfg.Subnet.split("/");
    const parts = base!.split(".");
    parts[3] = "1";
    return parts.join(".");
  }
  return "172.17.0.1";
}

/** Serialises network work per network name inside this process (create/join vs remove). */
const chains = new Map<string, Promise<unknown>>();
export function withNetworkLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const prev = chains.get(name) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  chains.set(name, tail);
  void tail.then(() => {
    if (chains.get(name) === tail) chains.delete(name);
  });
  return run;
}
