import type {
  CreateServiceRequest,
  DeleteServiceAttributesRequest,
  DeleteServiceRequest,
  GetServiceAttributesRequest,
  GetServiceRequest,
  ListServicesRequest,
  Service,
  UpdateServiceAttributesRequest,
  UpdateServiceRequest,
} from "@aws-sdk/client-servicediscovery";
import type { Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import { requestFingerprint } from "../../core/fingerprint.js";
import { invalidInput, namespaceNotFound, resourceInUse, serviceAlreadyExists, serviceNotFound } from "../../core/servicediscovery/errors.js";
import { serviceId } from "../../core/servicediscovery/ids.js";
import { checkDnsConfig, checkDnsConfigChange, type DnsRecordSpec, filterMatches } from "../../core/servicediscovery/rules.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { getNamespace, getService, idOf, listInstances, listServices, operationOp, rand, sdArn, sdLock, serviceOp, type SdDeps } from "./deps.js";
import type { SdServiceDoc } from "./docs.js";
import { newOperation } from "./operations.js";
import { pageOf } from "./paging.js";
import { checkTags } from "./tags.js";

const MAX_SERVICE_ATTRIBUTES = 30;

export function renderService(d: SdServiceDoc, instanceCount: number): Service {
  return {
    Id: d.id,
    Arn: d.arn,
    ResourceOwner: d.accountId,
    Name: d.name,
    NamespaceId: d.namespaceId,
    ...(d.description !== undefined ? { Description: d.description } : {}),
    InstanceCount: instanceCount,
    ...(d.dnsConfig ? { DnsConfig: { NamespaceId: d.namespaceId, RoutingPolicy: d.dnsConfig.RoutingPolicy, DnsRecords: d.dnsConfig.DnsRecords } } : {}),
    Type: d.type,
    ...(d.healthCheckCustomConfig ? { HealthCheckCustomConfig: d.healthCheckCustomConfig } : {}),
    CreateDate: epochSeconds(d.createdMs) as unknown as Date,
    ...(d.creatorRequestId ? { CreatorRequestId: d.creatorRequestId } : {}),
    CreatedByAccount: d.accountId,
  };
}

const noRoute53HealthChecks = () =>
  invalidInput("HealthCheckConfig (Route 53 health checks) is not supported for services in private DNS or HTTP namespaces by Wharf; use HealthCheckCustomConfig.");

/** The service by id or ARN, or ServiceNotFound. */
export async function mustGetService(deps: SdDeps, p: Principal, ref: string): Promise<SdServiceDoc> {
  const doc = await getService(deps, p, idOf(p, ref, "service"));
  if (!doc) throw serviceNotFound(ref);
  return doc;
}

export async function createService(deps: SdDeps, input: CreateServiceRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const nsRef = input.NamespaceId ?? input.DnsConfig?.NamespaceId;
  if (!nsRef) throw invalidInput("NamespaceId is required.");
  if (input.HealthCheckConfig) throw noRoute53HealthChecks();
  const tags = checkTags(input.Tags ?? [], input.Name!);
  const requestHash = requestFingerprint({ ...input, CreatorRequestId: undefined });
  return deps.lock(sdLock(p.region), async () => {
    const ns = await getNamespace(deps, p, idOf(p, nsRef, "namespace"));
    if (!ns) throw namespaceNotFound(nsRef);
    const all = await listServices(deps, p);
    if (input.CreatorRequestId) {
      const same = all.find((s) => s.creatorRequestId === input.CreatorRequestId && s.requestHash === requestHash);
      if (same) return { Service: renderService(same, (await listInstances(deps, same.id)).length) };
    }
    const taken = all.find((s) => s.namespaceId === ns.id && s.name.toLowerCase() === input.Name!.toLowerCase());
    if (taken) throw serviceAlreadyExists(input.Name!, taken.id, taken.arn, taken.creatorRequestId);
    let type: SdServiceDoc["type"] = "HTTP";
    let dnsConfig: SdServiceDoc["dnsConfig"];
    if (input.DnsConfig) {
      if (ns.type === "HTTP") throw invalidInput(`DnsConfig can't be specified for a service in the HTTP namespace ${ns.id}.`);
      if (input.Type === "HTTP") throw invalidInput("A service of Type HTTP can't have a DnsConfig.");
      dnsConfig = checkDnsConfig((input.DnsConfig.DnsRecords ?? []) as DnsRecordSpec[], input.DnsConfig.RoutingPolicy);
      type = "DNS_HTTP";
    }
    const id = serviceId(rand(deps));
    const doc: SdServiceDoc = {
      id,
      arn: sdArn(p, "service", id),
      region: p.region,
      accountId: p.accountId,
      name: input.Name!,
      namespaceId: ns.id,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      type,
      ...(dnsConfig ? { dnsConfig } : {}),
      ...(input.HealthCheckCustomConfig ? { healthCheckCustomConfig: { FailureThreshold: input.HealthCheckCustomConfig.FailureThreshold ?? 1 } } : {}),
      createdMs: deps.clock.now(),
      ...(input.CreatorRequestId ? { creatorRequestId: input.CreatorRequestId } : {}),
      requestHash,
      tags,
      attributes: {},
      revision: 1,
    };
    await deps.store.write([serviceOp(doc)]);
    return { Service: renderService(doc, 0) };
  });
}

export async function getServiceOp(deps: SdDeps, input: GetServiceRequest, ctx: RequestContext) {
  const doc = await mustGetService(deps, ctx.principal, input.Id!);
  return { Service: renderService(doc, (await listInstances(deps, doc.id)).length) };
}

export async function listServicesOp(deps: SdDeps, input: ListServicesRequest, ctx: RequestContext) {
  const all = await listServices(deps, ctx.principal);
  const kept = all.filter((s) =>
    (input.Filters ?? []).every((f) => {
      const filter = { Name: f.Name!, Values: f.Values ?? [], ...(f.Condition ? { Condition: f.Condition } : {}) };
      if (f.Name === "NAMESPACE_ID") return filterMatches(filter, s.namespaceId, ["EQ"]);
      return filterMatches(filter, "SELF", ["EQ"]);
    }),
  );
  const { items, nextToken } = pageOf(kept, input.MaxResults, input.NextToken, (s) => s.id);
  const out = [];
  for (const s of items) {
    const { NamespaceId: _n, CreatorRequestId: _c, ...summary } = renderService(s, (await listInstances(deps, s.id)).length);
    out.push(summary);
  }
  return { Services: out, ...(nextToken ? { NextToken: nextToken } : {}) };
}

export async function updateService(deps: SdDeps, input: UpdateServiceRequest, ctx: RequestContext) {
  const p = ctx.principal;
  if (input.Service?.HealthCheckConfig) throw noRoute53HealthChecks();
  return deps.lock(sdLock(p.region), async () => {
    const doc = await mustGetService(deps, p, input.Id!);
    let dnsConfig = doc.dnsConfig;
    if (input.Service?.DnsConfig) {
      if (!doc.dnsConfig) throw invalidInput(`Service ${doc.id} has no DnsConfig to update.`);
      dnsConfig = checkDnsConfigChange(doc.dnsConfig, (input.Service.DnsConfig.DnsRecords ?? []) as DnsRecordSpec[]);
    }
    const op = newOperation(deps, p, "UPDATE_SERVICE", { SERVICE: doc.id });
    const next: SdServiceDoc = {
      ...doc,
      ...(input.Service?.Description !== undefined ? { description: input.Service.Description } : {}),
      ...(dnsConfig ? { dnsConfig } : {}),
    };
    await deps.store.write([serviceOp(next), operationOp(op)]);
    return { OperationId: op.id };
  });
}

export async function deleteService(deps: SdDeps, input: DeleteServiceRequest, ctx: RequestContext) {
  const p = ctx.principal;
  return deps.lock(sdLock(p.region), async () => {
    const doc = await mustGetService(deps, p, input.Id!);
    const n = (await listInstances(deps, doc.id)).length;
    if (n > 0) throw resourceInUse(`Service ${doc.id} has ${n} registered instances: deregister them first.`);
    await deps.store.write([{ op: "delete", kind: "sd-service", id: doc.id }]);
    return {};
  });
}

export async function getServiceAttributes(deps: SdDeps, input: GetServiceAttributesRequest, ctx: RequestContext) {
  const doc = await mustGetService(deps, ctx.principal, input.ServiceId!);
  return { ServiceAttributes: { ServiceArn: doc.arn, ResourceOwner: doc.accountId, Attributes: doc.attributes } };
}

export async function updateServiceAttributes(deps: SdDeps, input: UpdateServiceAttributesRequest, ctx: RequestContext) {
  const p = ctx.principal;
  await deps.lock(sdLock(p.region), async () => {
    const doc = await mustGetService(deps, p, input.ServiceId!);
    const attributes = { ...doc.attributes, ...(input.Attributes ?? {}) };
    if (Object.keys(attributes).length > MAX_SERVICE_ATTRIBUTES) {
      throw new AwsError("ServiceAttributesLimitExceededException", `A service can have at most ${MAX_SERVICE_ATTRIBUTES} attributes.`);
    }
    await deps.store.write([serviceOp({ ...doc, attributes })]);
  });
  return {};
}

export async function deleteServiceAttributes(deps: SdDeps, input: DeleteServiceAttributesRequest, ctx: RequestContext) {
  const p = ctx.principal;
  await deps.lock(sdLock(p.region), async () => {
    const doc = await mustGetService(deps, p, input.ServiceId!);
    const drop = new Set(input.Attributes ?? []);
    const attributes = Object.fromEntries(Object.entries(doc.attributes).filter(([k]) => !drop.has(k)));
    await deps.store.write([serviceOp({ ...doc, attributes })]);
  });
  return {};
}
