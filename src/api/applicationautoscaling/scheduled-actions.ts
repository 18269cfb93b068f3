import type { DeleteScheduledActionRequest, DescribeScheduledActionsRequest, PutScheduledActionRequest } from "@aws-sdk/client-application-auto-scaling";
import { randomUUID } from "node:crypto";
import { noScheduledAction, validation } from "../../core/autoscaling/errors.js";
import { scheduledActionArn } from "../../core/autoscaling/names.js";
import { parseSchedule, ScheduleError, validTimezone } from "../../core/autoscaling/schedule.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { aasLock, listScheduled, scheduledId, scheduledOp, storeOf, targetKey, type AasDeps } from "./deps.js";
import type { ScheduledActionDoc } from "./docs.js";
import { pageOf } from "./paging.js";
import { scheduledDeleteOp } from "./scheduled-store.js";
import { checkEcsTarget, checkFilter, requireTarget } from "./targets.js";

const MAX_ACTIONS_PER_TARGET = 200;

/** Input timestamps arrive as epoch seconds (JSON 1.1). */
const ms = (t: unknown): number | undefined => (typeof t === "number" ? Math.round(t * 1000) : t instanceof Date ? t.getTime() : undefined);

export async function putScheduledAction(deps: AasDeps, input: PutScheduledActionRequest, ctx: RequestContext) {
  const ns = input.ServiceNamespace!;
  const rid = input.ResourceId!;
  const dim = input.ScalableDimension!;
  await requireTarget(deps, ctx, ns, rid, dim);
  const key = targetKey(ctx.principal, ns, rid, dim);
  const id = scheduledId({ targetKey: key, ScheduledActionName: input.ScheduledActionName! });
  if (input.Timezone !== undefined && !validTimezone(input.Timezone)) throw validation(`Timezone ${input.Timezone} is not a valid time zone.`);
  const action = input.ScalableTargetAction;
  if (action?.MinCapacity !== undefined && action.MaxCapacity !== undefined && action.MinCapacity > action.MaxCapacity) {
    throw validation("Minimum capacity cannot be greater than maximum capacity");
  }
  return deps.ecs.lock(aasLock(key), async () => {
    const mine = (await listScheduled(deps, ctx.principal)).filter((a) => a.targetKey === key);
    const existing = mine.find((a) => scheduledId(a) === id);
    if (!existing && mine.length >= MAX_ACTIONS_PER_TARGET) throw validation(`A scalable target can have at most ${MAX_ACTIONS_PER_TARGET} scheduled actions.`);
    const schedule = input.Schedule ?? existing?.Schedule;
    if (!schedule) throw validation("Schedule is required when creating a scheduled action.");
    const timezone = input.Timezone ?? existing?.Timezone;
    try {
      parseSchedule(schedule, timezone ?? "UTC");
    } catch (e) {
      if (e instanceof ScheduleError) throw validation(e.message);
      throw e;
    }
    const start = input.StartTime !== undefined ? ms(input.StartTime) : existing?.StartTime;
    const end = input.EndTime !== undefined ? ms(input.EndTime) : existing?.EndTime;
    if (start !== undefined && end !== undefined && end <= start) throw validation("EndTime must be after StartTime.");
    const now = deps.ecs.clock.now();
    const uuid = randomUUID();
    const doc: ScheduledActionDoc = {
      accountId: ctx.principal.accountId,
      region: ctx.principal.region,
      targetKey: key,
      ScheduledActionName: input.ScheduledActionName!,
      ScheduledActionARN: existing?.ScheduledActionARN ?? scheduledActionArn(ctx.principal, uuid, ns, rid, input.ScheduledActionName!),
      ServiceNamespace: ns,
      Schedule: schedule,
      ...(timezone !== undefined ? { Timezone: timezone } : {}),
      ResourceId: rid,
      ScalableDimension: dim,
      ...(start !== undefined ? { StartTime: start } : {}),
      ...(end !== undefined ? { EndTime: end } : {}),
      ...(action ?? existing?.ScalableTargetAction ? { ScalableTargetAction: { ...(action ?? existing?.ScalableTargetAction) } } : {}),
      CreationTime: existing?.CreationTime ?? now,
      // Changing a schedule starts it afresh from now.
      checkedUntil: now,
      ...(existing?.lastRunAt !== undefined ? { lastRunAt: existing.lastRunAt } : {}),
    };
    await storeOf(deps).write([scheduledOp(doc)]);
    return {};
  });
}

export const renderScheduled = (a: ScheduledActionDoc) => ({
  ScheduledActionName: a.ScheduledActionName,
  ScheduledActionARN: a.ScheduledActionARN,
  ServiceNamespace: a.ServiceNamespace,
  Schedule: a.Schedule,
  Timezone: a.Timezone ?? "UTC",
  ResourceId: a.ResourceId,
  ScalableDimension: a.ScalableDimension,
  ...(a.StartTime !== undefined ? { StartTime: epochSeconds(a.StartTime) } : {}),
  ...(a.EndTime !== undefined ? { EndTime: epochSeconds(a.EndTime) } : {}),
  ...(a.ScalableTargetAction ? { ScalableTargetAction: a.ScalableTargetAction } : {}),
  CreationTime: epochSeconds(a.CreationTime),
});

export async function describeScheduledActions(deps: AasDeps, input: DescribeScheduledActionsRequest, ctx: RequestContext) {
  checkFilter(input.ResourceId ? [input.ResourceId] : undefined, input.ScalableDimension);
  const names = input.ScheduledActionNames?.length ? new Set(input.ScheduledActionNames) : undefined;
  const all = (await listScheduled(deps, ctx.principal)).filter(
    (a) =>
      a.ServiceNamespace === input.ServiceNamespace &&
      (!input.ResourceId || a.ResourceId === input.ResourceId) &&
      (!input.ScalableDimension || a.ScalableDimension === input.ScalableDimension) &&
      (!names || names.has(a.ScheduledActionName)),
  );
  const page = pageOf(all, input.MaxResults, input.NextToken, (a) => scheduledId(a));
  return { ScheduledActions: page.items.map(renderScheduled), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function deleteScheduledAction(deps: AasDeps, input: DeleteScheduledActionRequest, ctx: RequestContext) {
  const ns = input.ServiceNamespace!;
  const rid = input.ResourceId!;
  const dim = input.ScalableDimension!;
  checkEcsTarget(ns, rid, dim);
  const key = targetKey(ctx.principal, ns, rid, dim);
  const id = scheduledId({ targetKey: key, ScheduledActionName: input.ScheduledActionName! });
  await deps.ecs.lock(aasLock(key), async () => {
    const a = (await storeOf(deps).get<ScheduledActionDoc>("aas-scheduled-action", id))?.value;
    if (!a) throw noScheduledAction(ns, rid, dim, input.ScheduledActionName!);
    await storeOf(deps).write([scheduledDeleteOp(a)]);
  });
  return {};
}
