import type {
  DeleteTaskDefinitionsRequest,
  DeregisterTaskDefinitionRequest,
  DescribeTaskDefinitionRequest,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionsRequest,
  RegisterTaskDefinitionRequest,
} from "@aws-sdk/client-ecs";
import { arnBase, taskDefinitionArn } from "../../core/arn.js";
import { clientException, invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import {
  type TaskDefinitionDoc,
  arnOfRef,
  buildTaskDefinition,
  parseTaskDefinitionRef,
  validateRegisterInput,
} from "../../core/task-definition/index.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { VersionConflict, type WriteOp } from "../../store/store.js";
import type { EcsDeps } from "./deps.js";
import { putTagsOp, readTags } from "../../records/tag-store.js";

/**
 * Task definition operations. Records: kind "taskdef", id = ARN, scope = family, sort =
 * `family␠0000000007` so one ordered scan yields family then numeric revision (the space sorts
 * below every character a family may contain, so "web" comes before "web-api").
 * Revisions come from a per-family store counter and are never reused, even after deletion.
 */

const REVISION_DIGITS = 10;
export const taskDefSortKey = (family: string, revision: number): string =>
  `${family} ${String(revision).padStart(REVISION_DIGITS, "0")}`;

const putOp = (doc: TaskDefinitionDoc): WriteOp => ({
  op: "put",
  kind: "taskdef",
  id: doc.taskDefinitionArn,
  scope: doc.family,
  sort: taskDefSortKey(doc.family, doc.revision),
  value: doc,
});

const arnPrefix = (ctx: RequestContext) => `${arnBase(ctx.principal)}:task-definition/`;
const unableToDescribe = () => clientException("Unable to describe task definition.");

export async function registerTaskDefinition(deps: EcsDeps, input: RegisterTaskDefinitionRequest, ctx: RequestContext) {
  const validated = validateRegisterInput(input);
  const family = input.family!;
  const revision = await deps.store.nextSequence(`taskdef-revision:${family}`);
  const arn = taskDefinitionArn(ctx.principal, family, revision);
  const doc = buildTaskDefinition(input, validated, {
    taskDefinitionArn: arn,
    revision,
    registeredAt: epochSeconds(deps.clock.now()),
    registeredBy: ctx.callerArn,
  });
  await deps.store.write([putOp(doc), putTagsOp(arn, validated.tags)]);
  return { taskDefinition: doc, tags: validated.tags };
}

/** family → its latest ACTIVE revision; family:revision or ARN → that revision (any status). */
export async function findTaskDefinition(deps: EcsDeps, ref: string, ctx: RequestContext): Promise<TaskDefinitionDoc | undefined> {
  const parsed = parseTaskDefinitionRef(ref, ctx.principal);
  if (parsed.foreign || parsed.badRevision !== undefined || !parsed.family) return undefined;
  if (parsed.revision === undefined) {
    const prefix = arnPrefix(ctx);
    // Newest first, a few at a time: the latest revision is usually the answer.
    let after: string | undefined;
    for (;;) {
      const rows = await deps.store.list<TaskDefinitionDoc>("taskdef", { scope: parsed.family, desc: true, after, limit: 16 });
      const hit = rows.find((r) => r.value.status === "ACTIVE" && r.id.startsWith(prefix));
      if (hit || rows.length < 16) return hit?.value;
      const last = rows[rows.length - 1]!.value;
      after = taskDefSortKey(last.family, last.revision);
    }
  }
  return (await deps.store.get<TaskDefinitionDoc>("taskdef", arnOfRef(ctx.principal, { family: parsed.family, revision: parsed.revision })))
    ?.value;
}

/**
 * For RunTask, StartTask, CreateService and UpdateService: the ACTIVE definition `ref` names.
 * Missing → ClientException "TaskDefinition not found." (ECS's words for RunTask/CreateService);
 * INACTIVE or DELETE_IN_PROGRESS → InvalidParameterException "TaskDefinition is inactive".
 */
export async function resolveTaskDefinition(deps: EcsDeps, ref: string, ctx: RequestContext): Promise<TaskDefinitionDoc> {
  const doc = await findTaskDefinition(deps, ref, ctx);
  if (!doc) throw clientException("TaskDefinition not found.");
  if (doc.status !== "ACTIVE") throw invalidParameter("TaskDefinition is inactive");
  return doc;
}

export async function describeTaskDefinition(deps: EcsDeps, input: DescribeTaskDefinitionRequest, ctx: RequestContext) {
  const doc = await findTaskDefinition(deps, input.taskDefinition ?? "", ctx);
  if (!doc) throw unableToDescribe();
  const withTags = (input.include ?? []).includes("TAGS");
  return { taskDefinition: doc, ...(withTags ? { tags: await readTags(deps.store, doc.taskDefinitionArn) } : {}) };
}

export async function listTaskDefinitions(deps: EcsDeps, input: ListTaskDefinitionsRequest, ctx: RequestContext) {
  const size = pageSize(input.maxResults, 100);
  const status = input.status ?? "ACTIVE";
  const desc = input.sort === "DESC";
  const prefix = arnPrefix(ctx);
  // familyPrefix is "the full family name" (API reference): it selects one family.
  const rows = await deps.store.list<TaskDefinitionDoc>("taskdef", {
    ...(input.familyPrefix !== undefined ? { scope: input.familyPrefix } : {}),
    after: decodeToken(input.nextToken),
    desc,
  });
  const matching = rows.filter((r) => r.value.status === status && r.id.startsWith(prefix));
  const { items, nextToken } = page(matching, size, (r) => taskDefSortKey(r.value.family, r.value.revision));
  return { taskDefinitionArns: items.map((r) => r.value.taskDefinitionArn), ...(nextToken ? { nextToken } : {}) };
}

export async function listTaskDefinitionFamilies(
  deps: EcsDeps,
  input: ListTaskDefinitionFamiliesRequest,
  ctx: RequestContext,
) {
  const size = pageSize(input.maxResults, 100);
  const status = input.status ?? "ALL";
  const after = decodeToken(input.nextToken);
  const prefix = arnPrefix(ctx);
  const rows = await deps.store.list<TaskDefinitionDoc>("taskdef", {
    ...(input.familyPrefix ? { sortPrefix: input.familyPrefix } : {}),
  });
  // A family is ACTIVE while any of its revisions is; rows arrive ordered by family.
  const families = new Map<string, boolean>();
  for (const r of rows) {
    if (!r.id.startsWith(prefix)) continue;
    families.set(r.value.family, (families.get(r.value.family) ?? false) || r.value.status === "ACTIVE");
  }
  const selected = [...families]
    .filter(([name, active]) => (after === undefined || name > after) && (status === "ALL" || (status === "ACTIVE") === active))
    .map(([name]) => name);
  const { items, nextToken } = page(selected, size, (name) => name);
  return { families: items, ...(nextToken ? { nextToken } : {}) };
}

export async function deregisterTaskDefinition(deps: EcsDeps, input: DeregisterTaskDefinitionRequest, ctx: RequestContext) {
  const ref = input.taskDefinition ?? "";
  const parsed = parseTaskDefinitionRef(ref, ctx.principal);
  if (parsed.badRevision !== undefined) throw invalidParameter(`Invalid revision number. Number: ${parsed.badRevision}`);
  if (parsed.revision === undefined && !parsed.foreign) {
    throw clientException("Revision is missing. Specify the task definition as family:revision or as a full ARN.");
  }
  const found = await findTaskDefinition(deps, ref, ctx);
  if (!found) throw unableToDescribe();
  return deps.lock(found.taskDefinitionArn, async () => {
    const doc = (await deps.store.get<TaskDefinitionDoc>("taskdef", found.taskDefinitionArn))?.value;
    if (!doc) throw unableToDescribe();
    if (doc.status !== "ACTIVE") return { taskDefinition: doc };
    const next: TaskDefinitionDoc = { ...doc, status: "INACTIVE", deregisteredAt: epochSeconds(deps.clock.now()) };
    await deps.store.write([putOp(next)]);
    return { taskDefinition: next };
  });
}

const DELETE_REASONS = {
  invalid: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again.",
  missing: "The specified task definition does not exist. Specify a valid account, family, revision and try again.",
  active: "The specified task definition is still in ACTIVE status. Please deregister the target and try again.",
} as const;

/**
 * INACTIVE revisions → DELETE_IN_PROGRESS (what the response shows); each is then removed as
 * soon as no live task or service references it. Others are reported in `failures`.
 */
export async function deleteTaskDefinitions(deps: EcsDeps, input: DeleteTaskDefinitionsRequest, ctx: RequestContext) {
  const refs = input.taskDefinitions ?? [];
  if (refs.length < 1 || refs.length > 10) {
    throw invalidParameter(`taskDefinitions must list between 1 and 10 task definitions (got ${refs.length}).`);
  }
  const taskDefinitions: TaskDefinitionDoc[] = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const ref of refs) {
    const parsed = parseTaskDefinitionRef(ref, ctx.principal);
    if (parsed.revision === undefined || parsed.foreign) {
      failures.push({ arn: ref, reason: DELETE_REASONS.invalid });
      continue;
    }
    const arn = arnOfRef(ctx.principal, { family: parsed.family, revision: parsed.revision });
    const outcome = await deps.lock(arn, async () => {
      const doc = (await deps.store.get<TaskDefinitionDoc>("taskdef", arn))?.value;
      if (!doc) return DELETE_REASONS.missing;
      if (doc.status === "ACTIVE") return DELETE_REASONS.active;
      const next: TaskDefinitionDoc = { ...doc, status: "DELETE_IN_PROGRESS" };
      if (doc.status !== "DELETE_IN_PROGRESS") await deps.store.write([putOp(next)]);
      return next;
    });
    if (typeof outcome === "string") failures.push({ arn, reason: outcome });
    else taskDefinitions.push(outcome);
  }
  await purgeDeletedTaskDefinitions(deps);
  return { taskDefinitions, failures };
}

/**
 * Removes DELETE_IN_PROGRESS revisions (and their tags) that no live task or service uses.
 * Callable again later (e.g. when tasks stop) to finish deletions that had to wait.
 */
export async function purgeDeletedTaskDefinitions(deps: EcsDeps): Promise<number> {
  const pending = (await deps.store.list<TaskDefinitionDoc>("taskdef")).filter((r) => r.value.status === "DELETE_IN_PROGRESS");
  if (pending.length === 0) return 0;
  const inUse = new Set<string>();
  for (const t of await deps.store.list<{ taskDefinitionArn?: string; lastStatus?: string }>("task")) {
    if (t.value.lastStatus !== "STOPPED" && t.value.taskDefinitionArn) inUse.add(t.value.taskDefinitionArn);
  }
  for (const s of await deps.store.list<{ status?: string; taskDefinition?: string; deployments?: { taskDefinition?: string }[] }>(
    "service",
  )) {
    if (s.value.status === "INACTIVE") continue;
    if (s.value.taskDefinition) inUse.add(s.value.taskDefinition);
    for (const d of s.value.deployments ?? []) if (d.taskDefinition) inUse.add(d.taskDefinition);
  }
  const ops: WriteOp[] = [];
  for (const r of pending) {
    if (inUse.has(r.id)) continue;
    ops.push({ op: "delete", kind: "taskdef", id: r.id, expectVersion: r.version }, putTagsOp(r.id, []));
  }
  if (ops.length === 0) return 0;
  try {
    await deps.store.write(ops);
  } catch (e) {
    if (e instanceof VersionConflict) return 0; // changed meanwhile: the next purge retries
    throw e;
  }
  return ops.length / 2;
}
