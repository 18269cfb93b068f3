import { isOwn, type Principal, parseArn, taskDefinitionArn } from "../arn.js";

/**
 * A task definition named by the caller: `family`, `family:revision`, or the full ARN
 * (`arn:aws:ecs:REGION:ACCOUNT:task-definition/family:revision`). A bare family means its
 * latest ACTIVE revision.
 */
export interface TaskDefinitionRef {
  family: string;
  /** Absent for a bare family. */
  revision?: number;
  /** The revision text when it is not a positive integer (for ECS's "Invalid revision number"). */
  badRevision?: string;
  /** The ARN belongs to another account or Region. */
  foreign?: boolean;
}

export function parseTaskDefinitionRef(ref: string, principal: Principal): TaskDefinitionRef {
  let body = ref;
  let foreign = false;
  if (ref.startsWith("arn:")) {
    const parsed = parseArn(ref);
    if (!parsed || parsed.resourceType !== "task-definition" || !ref.includes(":task-definition/")) {
      return { family: "", foreign: true };
    }
    foreign = !isOwn(principal, parsed);
    body = parsed.resource;
  }
  const i = body.lastIndexOf(":");
  if (i < 0) return { family: body, foreign };
  const family = body.slice(0, i);
  const rev = body.slice(i + 1);
  if (!/^\d+$/.test(rev) || Number(rev) < 1) return { family, badRevision: rev, foreign };
  return { family, revision: Number(rev), foreign };
}

/** The ARN of `family:revision` in the caller's account and Region. */
export const arnOfRef = (p: Principal, ref: { family: string; revision: number }): string =>
  taskDefinitionArn(p, ref.family, ref.revision);
