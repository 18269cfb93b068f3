/**
 * Warm starts (issue 15 part 4, containers-roadmap #696): which images an instance should pull
 * ahead of its tasks. Every ACTIVE service's current task definition names images; an instance
 * is told those of the services whose tasks could be placed on it:
 * - EC2 instances: REPLICA and DAEMON services that are not Fargate and whose placement
 *   (requiresAttributes, memberOf constraints) the instance satisfies — free resources do not
 *   count, tasks come and go;
 * - hosts of the managed Fargate pool: the Fargate services of every cluster.
 * Pure: the API shell (src/api/prefetch-feed.ts) judges eligibility with the placement engine.
 */

/** One image to pull ahead (the poll answer's `prefetch` member). */
export interface PrefetchImage {
  image: string;
}

export interface PrefetchCandidate {
  status: string;
  /** The service's tasks run on Fargate (launch type or an all-Fargate capacity provider strategy). */
  fargate: boolean;
  images: readonly string[];
  /** Whether the instance satisfies the service's placement constraints and required attributes. */
  eligible: boolean;
}

/** The images a task definition's containers run, in definition order, without repeats. */
export function imagesOfTaskDefinition(td: { containerDefinitions?: readonly { image?: string }[] } | undefined): string[] {
  const out: string[] = [];
  for (const c of td?.containerDefinitions ?? []) if (c.image && !out.includes(c.image)) out.push(c.image);
  return out;
}

/** What an instance (or a Fargate pool host) should pull ahead: sorted, without repeats. */
export function prefetchFor(candidates: readonly PrefetchCandidate[], host: { fargatePool: boolean }): PrefetchImage[] {
  const images = new Set<string>();
  for (const c of candidates) {
    if (c.status !== "ACTIVE" || c.fargate !== host.fargatePool || !c.eligible) continue;
    for (const i of c.images) images.add(i);
  }
  return [...images].sort().map((image) => ({ image }));
}

/**
 * What of a stored service changes the images its instances are told: when this differs between
 * two writes of a service, agents are woken to hear the new list.
 */
export function prefetchKey(doc: {
  status?: string;
  taskDefinition?: string;
  launchType?: string;
  capacityProviderStrategy?: unknown;
  placementConstraints?: unknown;
} | undefined): string {
  if (!doc) return "";
  return JSON.stringify([doc.status, doc.taskDefinition, doc.launchType, doc.capacityProviderStrategy ?? null, doc.placementConstraints ?? null]);
}
