import type { DescribeServiceDeploymentsRequest, ListServiceDeploymentsRequest, StopServiceDeploymentRequest } from "@aws-sdk/client-ecs";
import { clusterArn, scopeRef, serviceArn, type Principal } from "../../core/arn.js";
import { AwsError, invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import type { RequestContext } from "../../edge/service.js";
import { requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import type { DeploymentRecord, ServiceDoc } from "../../records/service-doc.js";
import { renderBrief, renderServiceDeployment } from "../../records/service-history.js";
import { readService, serviceArnOf } from "./services.js";

/** ListServiceDeployments / DescribeServiceDeployments / StopServiceDeployment over the records services.ts keeps. */

const toMs = (t: unknown): number | undefined =>
  t === undefined ? undefined : t instanceof Date ? t.getTime() : typeof t === "number" ? t * 1000 : Date.parse(String(t));

export async function listServiceDeployments(deps: EcsDeps, input: ListServiceDeploymentsRequest, ctx: RequestContext) {
  const size = pageSize(input.maxResults, 20);
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const arn = serviceArnOf(ctx, cluster, input.service!);
  const doc = arn ? await readService(deps, arn) : undefined;
  if (!doc) throw new AwsError("ServiceNotFoundException", "Service not found.");
  const statuses = new Set<string>(input.status ?? []);
  const after = toMs(input.createdAt?.after);
  const before = toMs(input.createdAt?.before);
  const records = doc.wharf.history.filter(
    (r) =>
      (statuses.size === 0 || statuses.has(r.status)) &&
      (after === undefined || r.createdAt >= after) &&
      (before === undefined || r.createdAt <= before),
  );
  // Newest first; the token is the sort key "createdAt-id" reversed into ascending order.
  const key = (r: (typeof records)[number]) => `${String(1e15 - r.createdAt).padStart(16, "0")}-${r.deploymentId}`;
  records.sort((a, b) => key(a).localeCompare(key(b)));
  const resume = decodeToken(input.nextToken);
  const rest = resume === undefined ? records : records.filter((r) => key(r) > resume);
  const { items, nextToken } = page(rest, size, key);
  return { serviceDeployments: items.map((r) => renderBrief(doc, r)), ...(nextToken ? { nextToken } : {}) };
}

export async function describeServiceDeployments(deps: EcsDeps, input: DescribeServiceDeploymentsRequest, ctx: RequestContext) {
  const arns = input.serviceDeploymentArns ?? [];
  if (arns.length < 1 || arns.length > 20) throw invalidParameter("serviceDeploymentArns can have at least 1 and at most 20 items.");
  const serviceDeployments = [];
  const failures: { arn: string; reason: string }[] = [];
  for (const arn of arns) {
    const found = await findServiceDeployment(deps, ctx.principal, arn);
    if (!found) failures.push({ arn, reason: "MISSING" });
    else serviceDeployments.push(renderServiceDeployment(found.doc, found.record));
  }
  return { serviceDeployments, failures };
}

/**
 * The service and history record a service deployment ARN names
 * (`arn:aws:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/ID`), if it is the
 * caller's; InvalidParameterException for something that is not such an ARN.
 */
export async function findServiceDeployment(
  deps: EcsDeps,
  principal: Principal,
  arn: string,
): Promise<{ doc: ServiceDoc; record: DeploymentRecord } | undefined> {
  if (!arn.startsWith("arn:")) throw invalidParameter(`Invalid service deployment ARN: '${arn}'.`);
  const scoped = scopeRef(principal, arn, "service-deployment");
  if (scoped.scope === "foreign") return undefined;
  if (scoped.path.length !== 3 || scoped.path.some((s) => !s)) throw invalidParameter(`Invalid service deployment ARN: '${arn}'.`);
  const [clusterName, serviceName] = scoped.path as [string, string, string];
  const cluster = (await deps.store.get<{ status: string }>("cluster", clusterArn(principal, clusterName)))?.value;
  const doc = cluster ? await readService(deps, serviceArn(principal, clusterName, serviceName)) : undefined;
  const record = doc?.wharf.history.find((r) => r.serviceDeploymentArn === arn);
  return doc && record ? { doc, record } : undefined;
}

/** Statuses StopServiceDeployment acts on, and those in which a rollback is already under way. */
const STOPPABLE = new Set(["PENDING", "IN_PROGRESS"]);
const ROLLING_BACK = new Set(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);

/**
 * StopServiceDeployment with stopType ROLLBACK (the default; ECS documents ROLLBACK as the valid
 * value, ABORT is refused): a PENDING or IN_PROGRESS deployment goes ROLLBACK_REQUESTED and the
 * scheduler's next pass fails it and starts the rollback to the last COMPLETED deployment (the
 * circuit breaker's path), even when the service was not configured for rollback. A deployment
 * already rolling back answers as a success; any other status is a ConflictException.
 */
export async function stopServiceDeployment(deps: EcsDeps, input: StopServiceDeploymentRequest, ctx: RequestContext) {
  const arn = input.serviceDeploymentArn!;
  const stopType = input.stopType ?? "ROLLBACK";
  if (stopType !== "ROLLBACK") throw invalidParameter(`The stopType ${stopType} is not supported. The valid value is ROLLBACK.`);
  const found = await findServiceDeployment(deps, ctx.principal, arn);
  if (!found) throw new AwsError("ServiceDeploymentNotFoundException", "The service deployment does not exist.");
  const serviceArn = found.doc.serviceArn;
  const changed = await deps.lock(serviceArn, async () => {
    const read = await deps.store.get<ServiceDoc>("service", serviceArn);
    const doc = read?.value;
    const record = doc?.wharf.history.find((r) => r.serviceDeploymentArn === arn);
    if (!doc || !record) throw new AwsError("ServiceDeploymentNotFoundException", "The service deployment does not exist.");
    if (ROLLING_BACK.has(record.status)) return false;
    if (!STOPPABLE.has(record.status) || doc.status !== "ACTIVE") {
      throw new AwsError("ConflictException", `The service deployment is in status ${record.status} and cannot be stopped.`);
    }
    const target = doc.wharf.scheduler.lastCompleted;
    if (!target || target.id === record.deploymentId) {
      throw new AwsError("ConflictException", "The service deployment cannot be rolled back: the service has no completed deployment to roll back to.");
    }
    const now = deps.clock.now();
    const history = doc.wharf.history.map((r) => (r === record ? { ...r, status: "ROLLBACK_REQUESTED", updatedAt: now } : r));
    const next: ServiceDoc = { ...doc, wharf: { ...doc.wharf, history, stopRequest: { deploymentId: record.deploymentId, at: now } } };
    await deps.store.write([{ op: "put", kind: "service", id: serviceArn, scope: doc.clusterArn, sort: doc.serviceName, value: next, expectVersion: read!.version }]);
    return true;
  });
  if (changed) deps.onServiceChanged?.(serviceArn, found.doc.clusterArn);
  return { serviceDeploymentArn: arn };
}
