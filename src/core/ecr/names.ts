import { arnBase, partitionOf, type Principal } from "../arn.js";

/**
 * ECR's names: repository ARNs, the registry's host names, and image references. A repository
 * lives in one account and Region; Wharf's registry serves every account and Region on one
 * host (`127.0.0.1:<port>`), telling them apart by the docker login token (see docs/ecr.md).
 */

/** `arn:aws:ecr:<region>:<account>:repository/<name>`. */
export const repositoryArn = (p: Principal, name: string): string => `${arnBase(p, "ecr")}:repository/${name}`;

/** The ECR host name AWS gives a registry: `<account>.dkr.ecr.<region>.amazonaws.com` (`.com.cn` in China). */
export const awsRegistryHost = (accountId: string, region: string): string =>
  `${accountId}.dkr.ecr.${region}.amazonaws.com${partitionOf(region) === "aws-cn" ? ".cn" : ""}`;

/** An image reference split: registry host (if any), repository, and tag or digest. */
export interface ImageRef {
  host?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Splits `host[:port]/repo[:tag][@digest]` the way Docker does (a first part with `.`, `:` or `localhost` is a host). */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.indexOf("/");
  let host: string | undefined;
  if (first > 0) {
    const head = rest.slice(0, first);
    if (head.includes(".") || head.includes(":") || head === "localhost") {
      host = head;
      rest = rest.slice(first + 1);
    }
  }
  return { ...(host ? { host } : {}), repository: rest, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** The account and Region an ECR host names (`123456789012.dkr.ecr.eu-west-1.amazonaws.com`), else undefined. */
export function ecrHostParts(host: string): { accountId: string; region: string } | undefined {
  const m = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return m ? { accountId: m[1]!, region: m[2]! } : undefined;
}

/**
 * The repository path inside the distribution registry Wharf runs: `<account>/<region>/<name>`,
 * so repositories of the same name in two accounts or Regions never share storage.
 */
export const backendRepository = (accountId: string, region: string, name: string): string => `${accountId}/${region}/${name}`;

/** `sha256:` + 64 lower-case hex: the only digest form ECR accepts. */
export const isDigest = (s: string): boolean => /^sha256:[a-f0-9]{64}$/.test(s);

/** A tag as the distribution spec allows it: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`. */
export const isValidTag = (s: string): boolean => /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(s);
