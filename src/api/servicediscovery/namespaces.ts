import type {
  CreateHttpNamespaceRequest,
  CreatePrivateDnsNamespaceRequest,
  DeleteNamespaceRequest,
  GetNamespaceRequest,
  ListNamespacesRequest,
  Namespace,
  UpdateHttpNamespaceRequest,
  UpdatePrivateDnsNamespaceRequest,
} from "@aws-sdk/client-servicediscovery";
import type { Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import { requestFingerprint } from "../../core/fingerprint.js";
import { duplicateRequest, invalidInput, namespaceAlreadyExists, namespaceNotFound, resourceInUse } from "../../core/servicediscovery/errors.js";
import { hostedZoneId, namespaceId } from "../../core/servicediscovery/ids.js";
import { filterMatches } from "../../core/servicediscovery/rules.js";
import { epochSeconds } from "../../core/time.js";
import type { RequestContext } from "../../edge/service.js";
import { lookupVpc } from "../ec2/lookup.js";
import { getNamespace, idOf, listNamespaces, listServices, namespaceOp, operationOp, rand, sdArn, sdLock, type SdDeps } from "./deps.js";
import type { NamespaceDoc, OperationDoc } from "./docs.js";
import { newOperation } from "./operations.js";
import { pageOf } from "./paging.js";
import { checkTags } from "./tags.js";

/** A new private DNS namespace's SOA record TTL when none is given (seconds). */
export const DEFAULT_SOA_TTL = 15;

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

function checkDnsName(name: string): void {
  const n = name.replace(/\.$/, "");
  if (n.length === 0 || n.length > 253 || !n.split(".").every((l) => LABEL.test(l))) {
    throw invalidInput(`Namespace name ${name} is not a valid domain name.`);
  }
}

export function renderNamespace(d: NamespaceDoc, serviceCount: number): Namespace {
  return {
    Id: d.id,
    Arn: d.arn,
    ResourceOwner: d.accountId,
    Name: d.name,
    Type: d.type,
    ...(d.description !== undefined ? { Description: d.description } : {}),
    ServiceCount: serviceCount,
    Properties: {
      ...(d.type === "DNS_PRIVATE" ? { DnsProperties: { HostedZoneId: d.hostedZoneId!, SOA: { TTL: d.soaTtl! } } } : {}),
      HttpProperties: { HttpName: d.name },
    },
    CreateDate: epochSeconds(d.createdMs) as unknown as Date,
    ...(d.creatorRequestId ? { CreatorRequestId: d.creatorRequestId } : {}),
  };
}

async function createNamespace(
  deps: SdDeps,
  p: Principal,
  shape: { Name: string; CreatorRequestId?: string; Description?: string; Tags?: { Key?: string; Value?: string }[] },
  extra: Pick<NamespaceDoc, "type"> & Partial<Pick<NamespaceDoc, "vpc" | "soaTtl">>,
): Promise<{ OperationId: string }> {
  const tags = checkTags(shape.Tags ?? [], shape.Name);
  const requestHash = requestFingerprint({ ...shape, CreatorRequestId: undefined, ...extra });
  return deps.lock(sdLock(p.region), async () => {
    const all = await listNamespaces(deps, p);
    if (shape.CreatorRequestId) {
      const same = all.find((n) => n.creatorRequestId === shape.CreatorRequestId);
      if (same) {
        if (same.requestHash === requestHash) return { OperationId: same.operationId };
        throw duplicateRequest(`A request with CreatorRequestId ${shape.CreatorRequestId} and different parameters was already made.`, same.operationId);
      }
    }
    const taken = all.find((n) => n.name.toLowerCase().replace(/\.$/, "") === shape.Name.toLowerCase().replace(/\.$/, ""));
    if (taken) throw namespaceAlreadyExists(shape.Name, taken.id, taken.creatorRequestId);
    const id = namespaceId(rand(deps));
    const op = newOperation(deps, p, "CREATE_NAMESPACE", { NAMESPACE: id });
    const doc: NamespaceDoc = {
      id,
      arn: sdArn(p, "namespace", id),
      region: p.region,
      accountId: p.accountId,
      name: shape.Name,
      ...extra,
      ...(extra.type === "DNS_PRIVATE" ? { hostedZoneId: hostedZoneId(rand(deps)) } : {}),
      ...(shape.Description !== undefined ? { description: shape.Description } : {}),
      createdMs: op.createdMs,
      ...(shape.CreatorRequestId ? { creatorRequestId: shape.CreatorRequestId } : {}),
      requestHash,
      operationId: op.id,
      tags,
    };
    await deps.store.write([namespaceOp(doc), operationOp(op)]);
    return { OperationId: op.id };
  });
}

export async function createPrivateDnsNamespace(deps: SdDeps, input: CreatePrivateDnsNamespaceRequest, ctx: RequestContext) {
  const p = ctx.principal;
  checkDnsName(input.Name!);
  const vpc = await lookupVpc(deps, p, input.Vpc!);
  if (!vpc) throw invalidInput(`The VPC ${input.Vpc} does not exist in ${p.region}.`);
  const soaTtl = input.Properties?.DnsProperties?.SOA?.TTL ?? DEFAULT_SOA_TTL;
  return createNamespace(deps, p, input as CreatePrivateDnsNamespaceRequest & { Name: string }, { type: "DNS_PRIVATE", vpc: vpc.vpcId, soaTtl });
}

export async function createHttpNamespace(deps: SdDeps, input: CreateHttpNamespaceRequest, ctx: RequestContext) {
  return createNamespace(deps, ctx.principal, input as CreateHttpNamespaceRequest & { Name: string }, { type: "HTTP" });
}

/** Public DNS namespaces need a domain the internet resolves through Route 53: refused, and said so. */
export function createPublicDnsNamespace(): never {
  throw new AwsError(
    "UnsupportedFeatureException",
    "Cloud Map CreatePublicDnsNamespace is not implemented by Wharf: Wharf serves no public DNS zones. Use CreatePrivateDnsNamespace (a VPC's DNS) or CreateHttpNamespace.",
  );
}

export function updatePublicDnsNamespace(): never {
  throw new AwsError("UnsupportedFeatureException", "Cloud Map UpdatePublicDnsNamespace is not implemented by Wharf: Wharf serves no public DNS namespaces.");
}

async function mustGet(deps: SdDeps, p: Principal, ref: string): Promise<NamespaceDoc> {
  const doc = await getNamespace(deps, p, idOf(p, ref, "namespace"));
  if (!doc) throw namespaceNotFound(ref);
  return doc;
}

export async function getNamespaceOp(deps: SdDeps, input: GetNamespaceRequest, ctx: RequestContext) {
  const doc = await mustGet(deps, ctx.principal, input.Id!);
  const count = (await listServices(deps, ctx.principal)).filter((s) => s.namespaceId === doc.id).length;
  return { Namespace: renderNamespace(doc, count) };
}

export async function listNamespacesOp(deps: SdDeps, input: ListNamespacesRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const [all, services] = await Promise.all([listNamespaces(deps, p), listServices(deps, p)]);
  const kept = all.filter((n) =>
    (input.Filters ?? []).every((f) => {
      const filter = { Name: f.Name!, Values: f.Values ?? [], ...(f.Condition ? { Condition: f.Condition } : {}) };
      switch (f.Name) {
        case "TYPE":
          return filterMatches(filter, n.type, ["EQ", "IN"]);
        case "NAME":
          return filterMatches(filter, n.name, ["EQ", "BEGINS_WITH"]);
        case "HTTP_NAME":
          return filterMatches(filter, n.name, ["EQ", "BEGINS_WITH"]);
        default:
          // RESOURCE_OWNER: SELF (Wharf has no namespaces shared from other accounts).
          return filterMatches(filter, "SELF", ["EQ"]);
      }
    }),
  );
  const { items, nextToken } = pageOf(kept, input.MaxResults, input.NextToken, (n) => n.id);
  return {
    Namespaces: items.map((n) => {
      const { CreatorRequestId: _omit, ...rest } = renderNamespace(n, services.filter((s) => s.namespaceId === n.id).length);
      return rest;
    }),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

export async function deleteNamespace(deps: SdDeps, input: DeleteNamespaceRequest, ctx: RequestContext) {
  const p = ctx.principal;
  return deps.lock(sdLock(p.region), async () => {
    const doc = await mustGet(deps, p, input.Id!);
    const used = (await listServices(deps, p)).filter((s) => s.namespaceId === doc.id);
    if (used.length > 0) throw resourceInUse(`Namespace ${doc.id} has ${used.length} associated services: delete them first.`);
    const op: OperationDoc = newOperation(deps, p, "DELETE_NAMESPACE", { NAMESPACE: doc.id });
    await deps.store.write([{ op: "delete", kind: "sd-namespace", id: doc.id }, operationOp(op)]);
    return { OperationId: op.id };
  });
}

async function updateNamespace(deps: SdDeps, p: Principal, ref: string, type: NamespaceDoc["type"], change: { description?: string; soaTtl?: number }) {
  return deps.lock(sdLock(p.region), async () => {
    const doc = await mustGet(deps, p, ref);
    if (doc.type !== type) throw invalidInput(`Namespace ${doc.id} is of type ${doc.type}, not ${type}.`);
    const op = newOperation(deps, p, "UPDATE_NAMESPACE", { NAMESPACE: doc.id });
    const next: NamespaceDoc = {
      ...doc,
      ...(change.description !== undefined ? { description: change.description } : {}),
      ...(change.soaTtl !== undefined ? { soaTtl: change.soaTtl } : {}),
    };
    await deps.store.write([namespaceOp(next), operationOp(op)]);
    return { OperationId: op.id };
  });
}

export async function updatePrivateDnsNamespace(deps: SdDeps, input: UpdatePrivateDnsNamespaceRequest, ctx: RequestContext) {
  const ttl = input.Namespace?.Properties?.DnsProperties?.SOA?.TTL;
  return updateNamespace(deps, ctx.principal, input.Id!, "DNS_PRIVATE", {
    ...(input.Namespace?.Description !== undefined ? { description: input.Namespace.Description } : {}),
    ...(ttl !== undefined ? { soaTtl: ttl } : {}),
  });
}

export async function updateHttpNamespace(deps: SdDeps, input: UpdateHttpNamespaceRequest, ctx: RequestContext) {
  return updateNamespace(deps, ctx.principal, input.Id!, "HTTP", { description: input.Namespace!.Description! });
}
