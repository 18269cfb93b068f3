import { randomBytes } from "node:crypto";
import { clusterOfArn } from "../../core/arn.js";
import { ECS_LABELS, type TaskPlan, WHARF_LABELS } from "../container-config.js";
import type { DockerClient } from "../docker/client.js";
import { DockerApiError } from "../docker/errors.js";
import { call } from "../docker/transport.js";
import type { TaskAssignment, TaskEni } from "../../contracts/agent-protocol.js";
import {
  ensureSubnetNetwork,
  removeSubnetNetworkIfUnused,
  ResourceInitializationError,
  subnetNetworkName,
  withNetworkLock,
} from "./docker-networks.js";
import type { NeighborFlush } from "./neighbors.js";

/**
 * One awsvpc task's network: a pause (network holder) container on the subnet's Docker network
 * with the task's address and MAC, and the task's containers joined to it
 * (`NetworkMode: container:<pause>`), so they share localhost and the host reaches them at the
 * task address on their container ports. As amazon-ecs-agent does, the pause container carries
 * the task's labels with the container name `~internal~ecs~pause`, so a restarted agent adopts it.
 */

/** The container name amazon-ecs-agent gives the pause container (its label, never a definition's name). */
export const PAUSE_CONTAINER_NAME = "~internal~ecs~pause";
/** Images tried, in order, when no pause image is configured: the first one in the local cache wins. */
export const PAUSE_IMAGE_CANDIDATES = ["amazon/amazon-ecs-pause:0.1.0", "busybox:latest", "wharf-test/busybox:latest"];
/** What to pull when none of the candidates is cached. */
const PAUSE_IMAGE_FALLBACK = "busybox:latest";
/** How long a pause container waits for its address to be released by a stopping task. */
const ADDRESS_WAIT_MS = 15_000;

export interface AwsvpcContext {
  docker: DockerClient;
  containerInstanceArn: string;
  /** Pulls with ECS's default behaviour (cached image on failure). */
  pull(image: string): Promise<unknown>;
  log(line: Record<string, unknown>): void;
  /** `--pause-image`: the image of pause containers (default: PAUSE_IMAGE_CANDIDATES). */
  pauseImage?: string;
  /** Forgets the host's neighbor entry of a reused address (network/neighbors.ts). */
  flushNeighbors?: NeighborFlush;
}

/** The pause image to use: the configured one, else the first cached candidate, else busybox pulled. */
export async function resolvePauseImage(ctx: AwsvpcContext): Promise<string> {
  if (ctx.pauseImage) {
    await ctx.pull(ctx.pauseImage);
    return ctx.pauseImage;
  }
  for (const image of PAUSE_IMAGE_CANDIDATES) {
    if (await ctx.docker.inspectImage(image).catch(() => undefined)) return image;
  }
  await ctx.pull(PAUSE_IMAGE_FALLBACK);
  return PAUSE_IMAGE_FALLBACK;
}

/** The pause process: the ECS pause image's own entrypoint, else a `sleep` that never ends. */
const pauseEntrypoint = (image: string): string[] | undefined =>
  image.includes("amazon-ecs-pause") ? undefined : ["sleep", "2147483647"];

const hostnameOf = (ip: string): string => `ip-${ip.replaceAll(".", "-")}`;

/**
 * Tasks of this process setting up on each network. Creating the network and removing it
 * (when unused) are serialised per network; pause containers are created concurrently, and a
 * network is not removed while a set-up on it is under way.
 */
const settingUp = new Map<string, number>();

export class AwsvpcTaskNetwork {
  readonly network: string;
  private readonly dockerName: string;
  pauseId?: string;

  constructor(
    private readonly ctx: AwsvpcContext,
    private readonly assignment: TaskAssignment,
    private readonly plan: TaskPlan,
    adoptedPauseId?: string,
  ) {
    const eni = assignment.eni;
    this.network = eni ? subnetNetworkName(eni.subnetId) : "";
    this.pauseId = adoptedPauseId;
    const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, "-");
    this.dockerName = `ecs-${safe(plan.family)}-${plan.revision}-internalecspause-${randomBytes(10).toString("hex")}`;
  }

  private get eni(): TaskEni {
    const eni = this.assignment.eni;
    if (!eni) throw new ResourceInitializationError("the control plane assigned no network interface to this awsvpc task");
    return eni;
  }

  /**
   * Makes sure the subnet's network and a running pause container exist (adopting one a
   * previous agent left), then points every container of the plan at it. Throws
   * ResourceInitializationError when the network cannot be had.
   */
  async setUp(): Promise<void> {
    const eni = this.eni;
    // While any task of this process sets up on the network, nobody removes it (see tearDown).
    settingUp.set(this.network, (settingUp.get(this.network) ?? 0) + 1);
    try {
      await this.holdPause(eni);
    } finally {
      const n = (settingUp.get(this.network) ?? 1) - 1;
      if (n > 0) settingUp.set(this.network, n);
      else settingUp.delete(this.network);
    }
    for (const c of this.plan.containers) c.body.HostConfig.NetworkMode = `container:${this.pauseId}`;
  }

  private async holdPause(eni: TaskEni): Promise<void> {
    if (this.pauseId) {
      const info = await this.ctx.docker.inspectContainer(this.pauseId).catch(() => undefined);
      if (info?.State.Running) return;
      if (info) return this.start(this.pauseId);
      this.pauseId = undefined;
    }
    const subnet = { subnetId: eni.subnetId, cidrBlock: eni.subnetCidrBlock, gateway: eni.subnetGatewayIpv4Address, vpcId: eni.vpcId };
    await withNetworkLock(this.network, () => ensureSubnetNetwork(this.ctx.docker, subnet));
    const image = await resolvePauseImage(this.ctx).catch((err: Error) => {
      throw new ResourceInitializationError(`no pause container image (pass --pause-image): ${err.message}`);
    });
    this.pauseId = await this.createPause(image, eni);
    await this.start(this.pauseId);
    // The address may have been another ENI's (another MAC) a moment ago.
    await this.ctx.flushNeighbors?.([eni.privateIpv4Address]);
  }

  /**
   * Starts the pause container. The control plane frees an address when a task is STOPPED,
   * a moment before that task's agent removes its pause container: an address still in use
   * is waited for (briefly) rather than failing the new task.
   */
  private async start(id: string): Promise<void> {
    const deadline = Date.now() + ADDRESS_WAIT_MS;
    for (;;) {
      try {
        await this.ctx.docker.startContainer(id);
        return;
      } catch (err) {
        if (err instanceof DockerApiError && err.statusCode === 304) return; // already running
        const busy = /address already in use/i.test((err as Error).message);
        if (!busy || Date.now() > deadline) {
          throw new ResourceInitializationError(`cannot start the pause container: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** The pause container; settings Docker refuses on joined containers (DNS, extra hosts) go here. */
  private async createPause(image: string, eni: TaskEni): Promise<string> {
    const hosts = this.plan.containers.map((c) => c.body.HostConfig);
    const dns = [...new Set(hosts.flatMap((h) => h.Dns ?? []))];
    const dnsSearch = [...new Set(hosts.flatMap((h) => h.DnsSearch ?? []))];
    const extraHosts = [...new Set(hosts.flatMap((h) => h.ExtraHosts ?? []))];
    for (const h of hosts) {
      delete h.Dns;
      delete h.DnsSearch;
      delete h.ExtraHosts;
    }
    const entrypoint = pauseEntrypoint(image);
    const body = {
      Image: image,
      ...(entrypoint ? { Entrypoint: entrypoint, Cmd: [] } : {}),
      Hostname: hostnameOf(eni.privateIpv4Address),
      MacAddress: eni.macAddress,
      Labels: {
        [ECS_LABELS.cluster]: clusterOfArn(this.assignment.clusterArn),
        [ECS_LABELS.taskArn]: this.assignment.taskArn,
        [ECS_LABELS.containerName]: PAUSE_CONTAINER_NAME,
        [ECS_LABELS.family]: this.plan.family,
        [ECS_LABELS.version]: String(this.plan.revision),
        [WHARF_LABELS.instanceArn]: this.ctx.containerInstanceArn,
      },
      HostConfig: {
        NetworkMode: this.network,
        ...(dns.length ? { Dns: dns } : {}),
        ...(dnsSearch.length ? { DnsSearch: dnsSearch } : {}),
        ...(extraHosts.length ? { ExtraHosts: extraHosts } : {}),
      },
      NetworkingConfig: { EndpointsConfig: { [this.network]: { IPAMConfig: { IPv4Address: eni.privateIpv4Address } } } },
    };
    try {
      const out = await call<{ Id: string }>(this.ctx.docker.endpoint, {
        method: "POST",
        path: `/containers/create?name=${encodeURIComponent(this.dockerName)}`,
        body,
      });
      return out.Id;
    } catch (err) {
      throw new ResourceInitializationError(
        `cannot create the pause container for ${eni.privateIpv4Address} on ${this.network}: ${(err as Error).message}`,
      );
    }
  }

  /** Removes the pause container, then the subnet's network if Wharf made it and nothing uses it; true when the network went. */
  async tearDown(): Promise<boolean> {
    const eni = this.assignment.eni;
    if (this.pauseId) await this.ctx.docker.removeContainer(this.pauseId).catch(() => undefined);
    this.pauseId = undefined;
    return withNetworkLock(this.network, async () => {
      if (settingUp.has(this.network)) return false;
      if (eni && (await removeSubnetNetworkIfUnused(this.ctx.docker, eni.subnetId))) {
        this.ctx.log({ msg: "removed the unused network of a subnet", network: this.network });
        return true;
      }
      return false;
    });
  }
}
