import { invalidParameter } from "../errors.js";

/** Fargate platform versions Wharf runs (Linux); LATEST is 1.4.0, as on AWS. */
export const PLATFORM_VERSIONS: readonly string[] = ["LATEST", "1.4.0", "1.3.0"];
export const LATEST_PLATFORM_VERSION = "1.4.0";

/** The platform version a Fargate task runs on; InvalidParameterException for any other. */
export function resolvePlatformVersion(requested: string | undefined): string {
  const v = requested ?? "LATEST";
  if (!PLATFORM_VERSIONS.includes(v)) throw invalidParameter(`The specified platform version does not exist.`);
  return v === "LATEST" ? LATEST_PLATFORM_VERSION : v;
}

/** Default and bounds of a Fargate task's ephemeral storage (GiB). */
export const EPHEMERAL_DEFAULT_GIB = 20;
export const EPHEMERAL_MIN_GIB = 21;
export const EPHEMERAL_MAX_GIB = 200;

/** The task's ephemeral storage size; InvalidParameterException outside 21–200. */
export function ephemeralStorageGiB(size: number | undefined): number {
  if (size === undefined) return EPHEMERAL_DEFAULT_GIB;
  if (!Number.isInteger(size) || size < EPHEMERAL_MIN_GIB || size > EPHEMERAL_MAX_GIB) {
    throw invalidParameter(
      `The ephemeral storage size specified is invalid. Specify a value between ${EPHEMERAL_MIN_GIB} and ${EPHEMERAL_MAX_GIB} GiB.`,
    );
  }
  return size;
}

/**
 * The subnet for each of `count` new tasks, so tasks spread over the subnets' zones: each goes to
 * the zone holding fewest of the group's live tasks (`liveByZone`), ties in the subnets' order.
 * `zoneOf` gives a subnet's Availability Zone (the EC2 subnet's).
 */
export function spreadOverSubnets(
  zoneOf: (subnetId: string) => string,
  subnets: readonly string[],
  count: number,
  liveByZone: Readonly<Record<string, number>>,
): string[] {
  const zones = new Map<string, string>();
  for (const s of subnets) {
    const z = zoneOf(s);
    if (!zones.has(z)) zones.set(z, s);
  }
  const counts = new Map([...zones.keys()].map((z) => [z, liveByZone[z] ?? 0]));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let best: string | undefined;
    for (const [z, n] of counts) if (best === undefined || n < counts.get(best)!) best = z;
    counts.set(best!, counts.get(best!)! + 1);
    out.push(zones.get(best!)!);
  }
  return out;
}
