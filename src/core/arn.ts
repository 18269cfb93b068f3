/** The identity every ARN is built from: partition `aws`, the request's region and the account. */
export interface Principal {
  region: string;
  accountId: string;
}

const base = (p: Principal, service = "ecs") => `arn:aws:${service}:${p.region}:${p.accountId}`;

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
export const rootUserArn = (p: Principal) => `arn:aws:iam::${p.accountId}:root`;

/** Parsed form of an ECS ARN: `arn:aws:ecs:REGION:ACCOUNT:TYPE/REST`. */
export interface ParsedArn {
  region: string;
  accountId: string;
  resourceType: string;
  /** Everything after `TYPE/` (or `TYPE:` for task definitions). */
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([a-z0-9-]*):(\d{12}):([a-z-]+)[/:](.+)$/.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, accountId: m[2]!, resourceType: m[3]!, resource: m[4]! };
}

/** A cluster given by short name or ARN → its name. */
export function clusterNameOf(ref: string | undefined): string {
  if (!ref) return "default";
  if (ref.startsWith("arn:")) {
    const parsed = parseArn(ref);
    if (parsed && parsed.resourceType === "cluster") return parsed.resource;
    return ref;
  }
  return ref;
}

/** The last path segment of an id-or-ARN (`task/c/ID` → `ID`). */
export function lastSegment(ref: string): string {
  const i = ref.lastIndexOf("/");
  return i >= 0 ? ref.slice(i + 1) : ref;
}
