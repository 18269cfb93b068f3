import type { DescribeScalingActivitiesRequest } from "@aws-sdk/client-application-auto-scaling";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { scopeOf, storeOf, type AasDeps } from "./deps.js";
import type { ActivityDoc } from "./docs.js";
import { pageOf } from "./paging.js";
import { checkFilter } from "./targets.js";

/** Activities are kept six weeks, as AWS shows them. */
export const ACTIVITY_RETENTION_MS = 42 * 86_400_000;

const render = (a: ActivityDoc) => ({
  ActivityId: a.ActivityId,
  ServiceNamespace: a.ServiceNamespace,
  ResourceId: a.ResourceId,
  ScalableDimension: a.ScalableDimension,
  Description: a.Description,
  Cause: a.Cause,
  StartTime: epochSeconds(a.StartTime),
  ...(a.EndTime !== undefined ? { EndTime: epochSeconds(a.EndTime) } : {}),
  StatusCode: a.StatusCode,
  ...(a.StatusMessage ? { StatusMessage: a.StatusMessage } : {}),
  ...(a.NotScaledReasons ? { NotScaledReasons: a.NotScaledReasons } : {}),
});

export async function describeScalingActivities(deps: AasDeps, input: DescribeScalingActivitiesRequest, ctx: RequestContext) {
  checkFilter(input.ResourceId ? [input.ResourceId] : undefined, input.ScalableDimension);
  const since = deps.ecs.clock.now() - ACTIVITY_RETENTION_MS;
  const rows = await storeOf(deps).list<ActivityDoc>("aas-activity", { scope: scopeOf(ctx.principal), desc: true });
  const all = rows
    .map((r) => r.value)
    .filter(
      (a) =>
        a.StartTime >= since &&
        a.ServiceNamespace === input.ServiceNamespace &&
        (!input.ResourceId || a.ResourceId === input.ResourceId) &&
        (!input.ScalableDimension || a.ScalableDimension === input.ScalableDimension) &&
        (input.IncludeNotScaledActivities === true || !a.NotScaledReasons),
    );
  const page = pageOf(all, input.MaxResults, input.NextToken, (a) => a.ActivityId);
  return { ScalingActivities: page.items.map(render), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

/** Drops activities past retention (the scheduler calls it). */
export async function pruneActivities(deps: AasDeps, now: number): Promise<number> {
  const rows = await storeOf(deps).list<ActivityDoc>("aas-activity", {});
  const old = rows.filter((r) => r.value.StartTime < now - ACTIVITY_RETENTION_MS);
  if (old.length) await storeOf(deps).write(old.map((r) => ({ op: "delete" as const, kind: "aas-activity" as const, id: r.id })));
  return old.length;
}
