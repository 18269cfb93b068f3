import { AwsError } from "../core/errors.js";
import { summarizeTimeline, type DeploymentTimeline, type TimelineSummary } from "../core/service/timeline.js";
import type { Clock } from "../core/time.js";
import type { InternalRoute } from "../edge/server.js";
import type { SecretLookup } from "../edge/sigv4.js";
import type { EcsDeps } from "./ecs/deps.js";
import { findServiceDeployment } from "./ecs/service-deployments.js";
import { renderServiceDeployment, spanOf } from "../records/service-history.js";
import { signedRoute } from "./signed-route.js";
import { TIMELINE_PATH, type TimelineAnswer } from "../contracts/internal-routes.js";

/**
 * `POST /_wharf/service-deployment-timeline`: a service deployment's per-task timeline
 * (src/core/service/timeline.ts), which ECS's API has no field for. SigV4-signed like every
 * other call (service `ecs`), JSON in and out:
 *
 *   request  {"serviceDeploymentArn": "arn:aws:ecs:…:service-deployment/CLUSTER/SERVICE/ID"}
 *   response {"serviceDeployment": <ECS ServiceDeployment, epoch seconds>,
 *             "deploymentId": "ecs-svc/…", "taskDefinition": "arn:…",
 *             "timeline": {"tasks": [...], "stopped": [...], "droppedTasks"?: n} | absent once compacted,
 *             "summary": {"phases": [...], "costliest"?: "health", ...},
 *             "healthyAfterMs": 40000, "now": <ms>}
 * Times inside `timeline` and `summary` are epoch milliseconds. `wharf deployments` reads it.
 */

export interface TimelineRouteOptions {
  deps: EcsDeps;
  secrets: SecretLookup;
  accountId: string;
  clock: Clock;
  /** The scheduler's healthy-after setting, so clients can explain the health phase. */
  healthyAfterMs: number;
}

export function deploymentTimelineRoute(o: TimelineRouteOptions): InternalRoute {
  return signedRoute({
    path: TIMELINE_PATH,
    secrets: o.secrets,
    clock: o.clock,
    async handle(body, identity): Promise<TimelineAnswer> {
      const arn = (body as { serviceDeploymentArn?: unknown }).serviceDeploymentArn;
      if (typeof arn !== "string") throw new AwsError("InvalidParameterException", "serviceDeploymentArn is required.");
      const found = await findServiceDeployment(o.deps, { region: identity.region, accountId: o.accountId }, arn);
      if (!found) throw new AwsError("ServiceDeploymentNotFoundException", "The service deployment does not exist.");
      const { doc, record } = found;
      const now = o.clock.now();
      const empty = { tasks: [], stopped: [] };
      return {
        serviceDeployment: renderServiceDeployment(doc, record) as unknown as Record<string, unknown>,
        deploymentId: record.deploymentId,
        taskDefinition: record.taskDefinition,
        ...(record.timeline ? { timeline: record.timeline } : {}),
        summary: record.timeline
          ? summarizeTimeline(record.timeline, now, spanOf(record))
          : (record.timelineSummary ?? summarizeTimeline(empty, now, spanOf(record))),
        healthyAfterMs: o.healthyAfterMs,
        now,
      };
    },
  });
}
