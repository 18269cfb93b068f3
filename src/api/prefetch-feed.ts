import type { PrefetchImage } from "../core/service/prefetch.js";
import { imagesOfTaskDefinition, prefetchFor, prefetchKey, type PrefetchCandidate } from "../core/service/prefetch.js";
import { constraintsHold } from "../core/placement/check.js";
import type { PlacementRequest } from "../core/placement/types.js";
import { FARGATE_PROVIDERS } from "../core/fargate/index.js";
import type { WriteOp } from "../store/store.js";
import type { AgentHub } from "./agent-hub.js";
import type { EcsDeps } from "./ecs/deps.js";
import { clusterPlacement, placementRequest } from "./ecs/task-placement.js";
import type { ServiceDoc } from "../records/service-doc.js";
import { clusterInstances, FARGATE_POOL_NAME, isPoolArn } from "../records/instance-doc.js";
import type { TaskDefinitionDoc } from "../core/task-definition/index.js";

/** A service as warm starts need it: its images and the placement request of its tasks. */
interface ServiceImages {
  clusterArn: string;
  status: string;
  fargate: boolean;
  images: string[];
  request?: PlacementRequest;
}

/**
 * The control-plane end of warm starts (src/core/service/prefetch.ts): each poll answer's
 * `prefetch`. The services of a cluster (with their task definitions' images and placement
 * requests) are read once and kept until a service of that cluster is written; eligibility is
 * judged per instance on the cluster's live placement index. When a write changes what a service
 * asks to be pulled (created, new task definition, launch, constraints, deleted), the held polls of
 * its cluster's instances and of the Fargate pool's hosts are woken so agents start pulling at
 * once, before the deployment's tasks are placed (a record deleted outright wakes every poll).
 */
export class PrefetchFeed {
  private readonly byCluster = new Map<string, Promise<ServiceImages[]>>();
  private all?: Promise<ServiceImages[]>;
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly deps: EcsDeps,
    private readonly hub?: Pick<AgentHub, "bump" | "bumpAll">,
  ) {}

  /** The store's write notifications (src/server.ts): services written. */
  observe(ops: readonly WriteOp[]): void {
    const clusters = new Set<string>();
    let everyone = false;
    for (const op of ops) {
      if (op.kind !== "service") continue;
      const doc = op.op === "put" ? (op.value as ServiceDoc) : undefined;
      const key = prefetchKey(doc);
      if (this.keys.get(op.id) === key) continue;
      this.keys.set(op.id, key);
      this.all = undefined;
      if (doc) {
        this.byCluster.delete(doc.clusterArn);
        clusters.add(doc.clusterArn);
      } else {
        this.byCluster.clear();
        everyone = true;
      }
    }
    if (!this.hub) return;
    if (everyone) return this.hub.bumpAll();
    // The cluster's instances, and the Fargate pool's hosts (they run Fargate services of every cluster).
    for (const c of clusters) void this.wake([c, c.replace(/:cluster\/.*$/, `:cluster/${FARGATE_POOL_NAME}`)]);
  }

  private async wake(scopes: string[]): Promise<void> {
    try {
      for (const scope of scopes) for (const i of await clusterInstances(this.deps.store, scope)) this.hub!.bump(i.containerInstanceArn);
    } catch {
      this.hub!.bumpAll();
    }
  }

  /** What the instance should pull ahead of its tasks. */
  async prefetchFor(clusterArn: string, instanceArn: string): Promise<PrefetchImage[]> {
    const pool = isPoolArn(clusterArn);
    const services = await (pool ? this.allServices() : this.clusterServices(clusterArn));
    const candidates: PrefetchCandidate[] = [];
    const placement = pool ? undefined : await clusterPlacement(this.deps, clusterArn);
    const slot = placement?.index.slotOf(instanceArn);
    for (const s of services) {
      const eligible = pool || !s.request || slot === undefined || constraintsHold(s.request, placement!.index, slot);
      candidates.push({ status: s.status, fargate: s.fargate, images: s.images, eligible });
    }
    return prefetchFor(candidates, { fargatePool: pool });
  }

  private clusterServices(clusterArn: string): Promise<ServiceImages[]> {
    let p = this.byCluster.get(clusterArn);
    if (!p) {
      p = this.read(clusterArn).catch((err) => {
        this.byCluster.delete(clusterArn);
        throw err;
      });
      this.byCluster.set(clusterArn, p);
    }
    return p;
  }

  private allServices(): Promise<ServiceImages[]> {
    this.all ??= this.read(undefined).catch((err) => {
      this.all = undefined;
      throw err;
    });
    return this.all;
  }

  /** The ACTIVE services of one cluster (or of every cluster). */
  private async read(clusterArn: string | undefined): Promise<ServiceImages[]> {
    const listed = await this.deps.store.list<ServiceDoc>("service", clusterArn ? { scope: clusterArn } : {});
    const rows = listed.map((r) => r.value).filter((s) => s.status === "ACTIVE" && (!clusterArn || s.clusterArn === clusterArn));
    return Promise.all(
      rows.map(async (s) => {
        const td = (await this.deps.store.get<TaskDefinitionDoc>("taskdef", s.taskDefinition ?? ""))?.value;
        const request = td && placementRequest(td, { count: 1, group: `service:${s.serviceName}`, placementConstraints: s.placementConstraints });
        return {
          clusterArn: s.clusterArn,
          status: s.status,
          fargate: isFargateService(s),
          images: imagesOfTaskDefinition(td),
          ...(request ? { request } : {}),
        };
      }),
    );
  }
}

function isFargateService(s: ServiceDoc): boolean {
  const strategy = (s.capacityProviderStrategy ?? []) as { capacityProvider?: string }[];
  if (strategy.length) return strategy.every((i) => FARGATE_PROVIDERS.has(i.capacityProvider ?? ""));
  return s.launchType === "FARGATE";
}
