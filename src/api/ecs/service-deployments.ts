import type { DescribeServiceDeploymentsRequest, ListServiceDeploymentsRequest } from "@aws-sdk/client-ecs";
import { clusterArn, scopeRef, serviceArn, type Principal } from "../../core/arn.js";
import { AwsError, invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import type { RequestContext } from "../../edge/service.js";
import { requireCluster } from "./clusters.js";
import type { EcsDeps } from "./deps.js";
import type { DeploymentRecord, ServiceDoc } from "../../records/service-doc.js";
import { renderBrief, renderServiceDeployment } from "../../records/service-history.js";
import { readService, serviceArnOf } from "./services.js";

/** ListServiceDeployments / DescribeServiceDeployments over the records services.ts keeps. */

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
