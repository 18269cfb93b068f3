import type {
  DeregisterInstanceRequest,
  DiscoverInstancesRequest,
  DiscoverInstancesRevisionRequest,
  GetInstanceRequest,
  GetInstancesHealthStatusRequest,
  ListInstancesRequest,
  RegisterInstanceRequest,
  UpdateInstanceCustomHealthStatusRequest,
} from "@aws-sdk/client-servicediscovery";
import type { Principal } from "../../core/arn.js";
import { requestFingerprint } from "../../core/fingerprint.js";
import { customHealthNotFound, duplicateRequest, instanceNotFound, namespaceNotFound, serviceNotFound } from "../../core/servicediscovery/errors.js";
import { checkInstanceAttributes, discover, type HealthFilter, initialHealth, reportedHealth } from "../../core/servicediscovery/rules.js";
import type { RequestContext } from "../../edge/service.js";
import { instanceOp, listInstances, listNamespaces, listServices, operationOp, sdLock, serviceOp, type SdDeps } from "./deps.js";
import { instanceKey, type OperationDoc, type SdInstanceDoc, type SdServiceDoc } from "./docs.js";
import { newOperation } from "./operations.js";
import { pageOf } from "./paging.js";
import { mustGetService } from "./services.js";

const healthOf = (s: SdServiceDoc, i: SdInstanceDoc) => reportedHealth(i.customHealth, !!s.healthCheckCustomConfig);

async function getInstanceDoc(deps: SdDeps, serviceId: string, instanceId: string): Promise<SdInstanceDoc | undefined> {
  return (await deps.store.get<SdInstanceDoc>("sd-instance", instanceKey(serviceId, instanceId)))?.value;
}

/**
 * RegisterInstance: creates or replaces the instance (same id: its attributes are replaced),
 * bumps the service's InstancesRevision, and answers a REGISTER_INSTANCE operation. The same
 * CreatorRequestId with the same request answers the first operation again.
 */
export async function registerInstance(deps: SdDeps, input: RegisterInstanceRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const attrs = { ...(input.Attributes ?? {}) };
  const requestHash = requestFingerprint({ ...input, CreatorRequestId: undefined });
  return deps.lock(sdLock(p.region), async () => {
    const service = await mustGetService(deps, p, input.ServiceId!);
    checkInstanceAttributes(attrs, { ...(service.dnsConfig ? { dns: service.dnsConfig } : {}), customHealth: !!service.healthCheckCustomConfig });
    if (input.CreatorRequestId) {
      const ops = (await deps.store.list<OperationDoc>("sd-operation", { scope: p.region })).map((r) => r.value);
      const same = ops.find((o) => o.type === "REGISTER_INSTANCE" && o.creatorRequestId === input.CreatorRequestId && o.accountId === p.accountId);
      if (same) {
        if (same.requestHash === requestHash) return { OperationId: same.id };
        throw duplicateRequest(`A RegisterInstance request with CreatorRequestId ${input.CreatorRequestId} and different parameters was already made.`, same.id);
      }
    }
    const now = deps.clock.now();
    const current = await getInstanceDoc(deps, service.id, input.InstanceId!);
    const doc: SdInstanceDoc = {
      serviceId: service.id,
      id: input.InstanceId!,
      ...(input.CreatorRequestId ? { creatorRequestId: input.CreatorRequestId } : {}),
      attributes: attrs,
      ...(service.healthCheckCustomConfig
        ? { customHealth: attrs.AWS_INIT_HEALTH_STATUS || !current?.customHealth ? initialHealth(attrs) : current.customHealth }
        : {}),
      createdMs: current?.createdMs ?? now,
      updatedMs: now,
    };
    const op = newOperation(deps, p, "REGISTER_INSTANCE", { SERVICE: service.id, INSTANCE: doc.id }, {
      ...(input.CreatorRequestId ? { creatorRequestId: input.CreatorRequestId } : {}),
      requestHash,
    });
    await deps.store.write([instanceOp(doc), serviceOp({ ...service, revision: service.revision + 1 }), operationOp(op)]);
    return { OperationId: op.id };
  });
}

export async function deregisterInstance(deps: SdDeps, input: DeregisterInstanceRequest, ctx: RequestContext) {
  const p = ctx.principal;
  return deps.lock(sdLock(p.region), async () => {
    const service = await mustGetService(deps, p, input.ServiceId!);
    const current = await getInstanceDoc(deps, service.id, input.InstanceId!);
    if (!current) throw instanceNotFound(input.InstanceId!);
    const op = newOperation(deps, p, "DEREGISTER_INSTANCE", { SERVICE: service.id, INSTANCE: current.id });
    await deps.store.write([
      { op: "delete", kind: "sd-instance", id: instanceKey(service.id, current.id) },
      serviceOp({ ...service, revision: service.revision + 1 }),
      operationOp(op),
    ]);
    return { OperationId: op.id };
  });
}

const renderInstance = (i: SdInstanceDoc, accountId: string) => ({
  Id: i.id,
  ...(i.creatorRequestId ? { CreatorRequestId: i.creatorRequestId } : {}),
  Attributes: i.attributes,
  CreatedByAccount: accountId,
});

export async function getInstance(deps: SdDeps, input: GetInstanceRequest, ctx: RequestContext) {
  const service = await mustGetService(deps, ctx.principal, input.ServiceId!);
  const doc = await getInstanceDoc(deps, service.id, input.InstanceId!);
  if (!doc) throw instanceNotFound(input.InstanceId!);
  return { ResourceOwner: service.accountId, Instance: renderInstance(doc, service.accountId) };
}

export async function listInstancesOp(deps: SdDeps, input: ListInstancesRequest, ctx: RequestContext) {
  const service = await mustGetService(deps, ctx.principal, input.ServiceId!);
  const { items, nextToken } = pageOf(await listInstances(deps, service.id), input.MaxResults, input.NextToken, (i) => i.id);
  return {
    ResourceOwner: service.accountId,
    Instances: items.map((i) => ({ Id: i.id, Attributes: i.attributes, CreatedByAccount: service.accountId })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export async function getInstancesHealthStatus(deps: SdDeps, input: GetInstancesHealthStatusRequest, ctx: RequestContext) {
  const service = await mustGetService(deps, ctx.principal, input.ServiceId!);
  const all = await listInstances(deps, service.id);
  let chosen = all;
  if (input.Instances?.length) {
    const byId = new Map(all.map((i) => [i.id, i]));
    chosen = input.Instances.map((id) => {
      const i = byId.get(id);
      if (!i) throw instanceNotFound(id);
      return i;
    });
  }
  const { items, nextToken } = pageOf(chosen, input.MaxResults, input.NextToken, (i) => i.id);
  return { Status: Object.fromEntries(items.map((i) => [i.id, healthOf(service, i)])), ...(nextToken ? { NextToken: nextToken } : {}) };
}

export async function updateInstanceCustomHealthStatus(deps: SdDeps, input: UpdateInstanceCustomHealthStatusRequest, ctx: RequestContext) {
  const p = ctx.principal;
  await deps.lock(sdLock(p.region), async () => {
    const service = await mustGetService(deps, p, input.ServiceId!);
    const current = await getInstanceDoc(deps, service.id, input.InstanceId!);
    if (!current) throw instanceNotFound(input.InstanceId!);
    if (!service.healthCheckCustomConfig) throw customHealthNotFound(service.id);
    if (current.customHealth === input.Status) return;
    await deps.store.write([
      instanceOp({ ...current, customHealth: input.Status!, updatedMs: deps.clock.now() }),
      serviceOp({ ...service, revision: service.revision + 1 }),
    ]);
  });
  return {};
}

/** The service named `serviceName` in the namespace whose HTTP name is `namespaceName`. */
async function byNames(deps: SdDeps, p: Principal, namespaceName: string, serviceName: string): Promise<SdServiceDoc> {
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, "");
  const ns = (await listNamespaces(deps, p)).find((n) => norm(n.name) === norm(namespaceName));
  if (!ns) throw namespaceNotFound(namespaceName);
  const service = (await listServices(deps, p)).find((s) => s.namespaceId === ns.id && s.name.toLowerCase() === serviceName.toLowerCase());
  if (!service) throw serviceNotFound(serviceName);
  return service;
}

export async function discoverInstances(deps: SdDeps, input: DiscoverInstancesRequest, ctx: RequestContext) {
  const service = await byNames(deps, ctx.principal, input.NamespaceName!, input.ServiceName!);
  const instances = (await listInstances(deps, service.id)).map((i) => ({ ...i, health: healthOf(service, i) }));
  const found = discover(instances, {
    ...(input.QueryParameters ? { query: input.QueryParameters } : {}),
    ...(input.OptionalParameters ? { optional: input.OptionalParameters } : {}),
    ...(input.HealthStatus ? { health: input.HealthStatus as HealthFilter } : {}),
    hasHealthCheck: !!service.healthCheckCustomConfig,
    max: input.MaxResults ?? 100,
  });
  return {
    Instances: found.map((i) => ({
      InstanceId: i.id,
      NamespaceName: input.NamespaceName!,
      ServiceName: service.name,
      HealthStatus: i.health,
      Attributes: i.attributes,
    })),
    InstancesRevision: service.revision,
  };
}

export async function discoverInstancesRevision(deps: SdDeps, input: DiscoverInstancesRevisionRequest, ctx: RequestContext) {
  const service = await byNames(deps, ctx.principal, input.NamespaceName!, input.ServiceName!);
  return { InstancesRevision: service.revision };
}

/** The service by id, for Wharf's own callers (ECS's registry port); undefined when gone. */
export async function serviceForRegistry(deps: SdDeps, p: Principal, id: string): Promise<SdServiceDoc | undefined> {
  try {
    return await mustGetService(deps, p, id);
  } catch (e) {
    if ((e as { code?: string }).code === serviceNotFound("").code) return undefined;
    throw e;
  }
}
