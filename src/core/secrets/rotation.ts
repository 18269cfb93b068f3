import type { Tag } from "../tags.js";

/**
 * Rotation that reaches running services (beyond ECS, containers-roadmap #495), pure: a service
 * tagged `wharf:redeploy-on-secret-change` = `true` starts a new deployment when a secret or
 * parameter its task definition references gets a new version, so the rotated value reaches every
 * task through the normal rolling path. What is compared: for each `valueFrom` (container
 * `secrets`, `logConfiguration.secretOptions`, `repositoryCredentials.credentialsParameter`) a
 * version token — an SSM parameter's newest version number, or the id of the Secrets Manager
 * version that holds the referenced stage (AWSCURRENT unless the reference names one). A
 * reference pinned to a version id never changes.
 */

export const REDEPLOY_TAG = "wharf:redeploy-on-secret-change";

export const optedIn = (tags: readonly Tag[]): boolean => tags.some((t) => t.key === REDEPLOY_TAG && (t.value ?? "").toLowerCase() === "true");

interface ContainerSecrets {
  secrets?: { valueFrom?: string }[] | undefined;
  logConfiguration?: { secretOptions?: { valueFrom?: string }[] | undefined } | undefined;
  repositoryCredentials?: { credentialsParameter?: string } | undefined;
}

/** Every secret reference of a task definition's containers, each once, in order. */
export function secretReferences(containers: readonly ContainerSecrets[]): string[] {
  const refs: string[] = [];
  for (const c of containers) {
    for (const s of c.secrets ?? []) if (s.valueFrom) refs.push(s.valueFrom);
    for (const s of c.logConfiguration?.secretOptions ?? []) if (s.valueFrom) refs.push(s.valueFrom);
    if (c.repositoryCredentials?.credentialsParameter) refs.push(c.repositoryCredentials.credentialsParameter);
  }
  return [...new Set(refs)];
}

/** The version token of each reference; a reference whose secret is gone maps to "absent". */
export type SecretVersions = Record<string, string>;
export const ABSENT = "absent";

/** What a watch remembers of a service: the task definition and versions its newest deployment started with. */
export interface SecretWatch {
  taskDefinition: string;
  versions: SecretVersions;
}

export interface RotationChange {
  valueFrom: string;
  from: string;
  to: string;
}

export type RotationDecision =
  /** First sight, or a new task definition (its deployment already reads the current values): remember. */
  | { kind: "record"; watch: SecretWatch }
  /** A referenced version moved under the same task definition: redeploy, then remember. */
  | { kind: "redeploy"; watch: SecretWatch; changes: RotationChange[] }
  | { kind: "none" };

export function decideRotation(previous: SecretWatch | undefined, taskDefinition: string, current: SecretVersions): RotationDecision {
  const watch = { taskDefinition, versions: current };
  if (!previous || previous.taskDefinition !== taskDefinition) return { kind: "record", watch };
  const changes: RotationChange[] = [];
  for (const [valueFrom, to] of Object.entries(current)) {
    const from = previous.versions[valueFrom];
    // A reference not seen before (cannot happen under one task definition) is only recorded;
    // a secret deleted (absent) is no new value to roll out.
    if (from === undefined || from === to || to === ABSENT) continue;
    changes.push({ valueFrom, from, to });
  }
  if (changes.length > 0) return { kind: "redeploy", watch, changes };
  const same = Object.keys(current).length === Object.keys(previous.versions).length && Object.entries(current).every(([k, v]) => previous.versions[k] === v);
  return same ? { kind: "none" } : { kind: "record", watch };
}

/** The service event and the deployment's reason for a rotation redeploy. */
export function rotationMessage(serviceName: string, changes: readonly RotationChange[]): string {
  const what = changes.map((c) => `${c.valueFrom} (version ${c.from} → ${c.to})`).join(", ");
  return `(service ${serviceName}) started a new deployment because a secret it references changed: ${what} (tag ${REDEPLOY_TAG}).`;
}
