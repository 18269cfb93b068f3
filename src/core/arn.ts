import { invalidParameter } from "./errors.js";

/** The identity every ARN is built from: the request's region and the account (the partition follows the region). */
export interface Principal {
  region: string;
  accountId: string;
}

/** The AWS partition a Region belongs to (`cn-north-1` → `aws-cn`, `us-gov-west-1` → `aws-us-gov`). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  return "aws";
}

/** `arn:PARTITION:SERVICE:REGION:ACCOUNT`: the start of every ARN Wharf makes for a principal. */
export const arnBase = (p: Principal, service = "ecs") => `arn:${partitionOf(p.region)}:${service}:${p.region}:${p.accountId}`;
const base = arnBase;

export const clusterArn = (p: Principal, name: string) => `${base(p)}:cluster/${name}`;
export const taskDefinitionArn = (p: Principal, family: string, revision: number) =>
  `${base(p)}:task-definition/${family}:${revision}`;
export const taskArn = (p: Principal, cluster: string, id: string) => `${base(p)}:task/${cluster}/${id}`;
export const containerArn = (p: Principal, cluster: string, taskId: string, uuid: string) =>
  `${base(p)}:container/${cluster}/${taskId}/${uuid}`;
export const containerInstanceArn = (p: Principal, cluster: string, id: string) =>
  `${base(p)}:container-instance/${cluster}/${id}`;
export const serviceArn = (p: Principal, cluster: string, name: string) => `${base(p)}:service/${cluster}/${name}`;
export const capacityProviderArn = (p: Principal, name: string) => `${base(p)}:capacity-provider/${name}`;
export const rootUserArn = (p: Principal) => `arn:${partitionOf(p.region)}:iam::${p.accountId}:root`;

/** Parsed form of an ECS ARN: `arn:PARTITION:ecs:REGION:ACCOUNT:TYPE/REST`. */
export interface ParsedArn {
  partition: string;
  region: string;
  accountId: string;
  resourceType: string;
  /** Everything after `TYPE/` (or `TYPE:` for task definitions). */
  resource: string;
}

/** An ECS ARN of any partition, Region and account; undefined for anything else. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:(aws[a-z-]*):ecs:([a-z0-9-]*):(\d{12}):([a-z-]+)[/:](.+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, region: m[2]!, accountId: m[3]!, resourceType: m[4]!, resource: m[5]! };
}

/** The ARN is the caller's own partition, Region and account. */
export const isOwn = (p: Principal, a: ParsedArn): boolean =>
  a.partition === partitionOf(p.region) && a.region === p.region && a.accountId === p.accountId;

/**
 * How a caller's id-or-ARN relates to the caller's resources. This is the one place ARNs given
 * by callers are resolved: every operation goes through it (via the helpers below), so an ARN
 * of another partition, Region or account never reaches a local resource.
 * - `local`: a name/id, or an ECS ARN of the expected type in the caller's own scope;
 *   `path` holds the segments after `TYPE/` (for a name/id: the name itself).
 * - `foreign`: a well-formed ECS ARN of the expected type in another partition, Region or account;
 *   callers answer with what ECS answers for something that does not exist.
 * Anything else that starts with `arn:` is refused with InvalidParameterException.
 */
export type ScopedRef = { scope: "local"; arn: boolean; path: string[] } | { scope: "foreign" };

export function scopeRef(p: Principal, ref: string, resourceType: string): ScopedRef {
  if (!ref.startsWith("arn:")) return { scope: "local", arn: false, path: [ref] };
  const parsed = parseArn(ref);
  if (!parsed) throw invalidParameter(`Invalid identifier: Unexpected number of separators`);
  if (parsed.resourceType !== resourceType || !ref.includes(`:${resourceType}/`)) {
    throw invalidParameter(`Unsupported resource type: ${parsed.resourceType}`);
  }
  if (!isOwn(p, parsed)) return { scope: "foreign" };
  return { scope: "local", arn: true, path: parsed.resource.split("/") };
}

/** A cluster name or ARN → its name in the caller's scope, or undefined for a foreign ARN. */
export function clusterNameIn(p: Principal, ref: string | undefined): string | undefined {
  if (!ref) return "default";
  const s = scopeRef(p, ref, "cluster");
  if (s.scope === "foreign") return undefined;
  if (s.path.length !== 1 || !s.path[0]) throw invalidParameter(`Invalid identifier: Unexpected number of separators`);
  return s.path[0];
}

/** A cluster name or ARN → the caller's cluster ARN for it, or undefined for a foreign ARN. */
export function clusterArnIn(p: Principal, ref: string | undefined): string | undefined {
  const name = clusterNameIn(p, ref);
  return name === undefined ? undefined : clusterArn(p, name);
}

/**
 * A service, task or container instance given by id or ARN (long `TYPE/CLUSTER/ID` or old
 * `TYPE/ID`) → its id, when it is the caller's and in `clusterName`; undefined for a foreign
 * ARN. A long ARN of another cluster is refused as ECS refuses it.
 */
export function idInCluster(p: Principal, ref: string, resourceType: string, clusterName: string): string | undefined {
  const s = scopeRef(p, ref, resourceType);
  if (s.scope === "foreign") return undefined;
  if (!s.arn) return ref;
  if (s.path.length > 2 || s.path.some((x) => !x)) throw invalidParameter(`Invalid identifier: Unexpected number of separators`);
  if (s.path.length === 2 && s.path[0] !== clusterName) {
    throw invalidParameter(`Invalid identifier: Identifier is for cluster ${s.path[0]}. Your cluster is ${clusterName}`);
  }
  return s.path[s.path.length - 1]!;
}

/** The cluster name of a stored ARN (`…:cluster/NAME`, `…:task/NAME/ID`, …); stored ARNs are Wharf's own. */
export function clusterOfArn(arn: string): string {
  const parsed = parseArn(arn);
  if (!parsed) return lastSegment(arn);
  return parsed.resourceType === "cluster" ? parsed.resource : parsed.resource.split("/")[0]!;
}

/** The last path segment of an id-or-ARN (`task/c/ID` → `ID`). */
export function lastSegment(ref: string): string {
  const i = ref.lastIndexOf("/");
  return i >= 0 ? ref.slice(i + 1) : ref;
}
