import type { Attribute, DeleteAttributesRequest, ListAttributesRequest, PutAttributesRequest } from "@aws-sdk/client-ecs";
import { AwsError, invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import type { RequestContext } from "../../edge/service.js";
import { requireCluster } from "./clusters.js";
import { putInstanceOp, readInstance, registeredInstances, resolveInstanceArn } from "./container-instances.js";
import type { EcsDeps } from "./deps.js";
import { validateAttribute } from "../../core/attribute-rules.js";


import type { AttributeDoc } from "../../records/instance-doc.js";

/**
 * PutAttributes / DeleteAttributes / ListAttributes on container instances (the only target
 * type ECS has). Attributes live in the instance record, beside the ones the agent registered.
 */

/** ECS: "You can apply up to 10 custom attributes for each resource." */
export const MAX_CUSTOM_ATTRIBUTES = 10;

const targetNotFound = (id: string) =>
  new AwsError("TargetNotFoundException", `Could not find target '${id}'. Check the targetId and try again.`);

/** Built-in attributes (set by the agent) do not count towards the custom limit. */
const isBuiltIn = (name: string) => name.startsWith("ecs.") || name.startsWith("com.amazonaws.ecs.");

async function changeAttributes(
  deps: EcsDeps,
  input: PutAttributesRequest | DeleteAttributesRequest,
  ctx: RequestContext,
  apply: (current: AttributeDoc[], a: Attribute) => AttributeDoc[],
) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  const attrs = input.attributes ?? [];
  if (attrs.length === 0) throw invalidParameter("Attributes cannot be empty.");
  if (attrs.length > MAX_CUSTOM_ATTRIBUTES) {
    throw new AwsError("AttributeLimitExceededException", `You can apply up to ${MAX_CUSTOM_ATTRIBUTES} custom attributes for each resource.`);
  }
  for (const a of attrs) {
    validateAttribute(a, true);
    if (!a.targetId) throw invalidParameter(`Attribute '${a.name}' needs a targetId (the container instance id or ARN).`);
  }
  return deps.lock(cluster.clusterArn, async () => {
    const changed = new Map<string, Awaited<ReturnType<typeof readInstance>>>();
    const out: Attribute[] = [];
    for (const a of attrs) {
      const arn = resolveInstanceArn(ctx.principal, cluster.clusterName, a.targetId!);
      const doc = changed.get(arn ?? "") ?? (await readInstance(deps, cluster.clusterArn, arn));
      if (!doc || doc.status === "INACTIVE") throw targetNotFound(a.targetId!);
      const attributes = apply(doc.attributes, a);
      if (attributes.filter((x) => !isBuiltIn(x.name)).length > MAX_CUSTOM_ATTRIBUTES) {
        throw new AwsError("AttributeLimitExceededException", `You can apply up to ${MAX_CUSTOM_ATTRIBUTES} custom attributes for each resource.`);
      }
      changed.set(doc.containerInstanceArn, { ...doc, attributes, version: doc.version + 1 });
      out.push({ name: a.name, ...(a.value !== undefined ? { value: a.value } : {}), targetType: "container-instance", targetId: doc.containerInstanceArn });
    }
    await deps.store.write([...changed.values()].map((d) => putInstanceOp(d!)));
    return { attributes: out };
  });
}

export async function putAttributes(deps: EcsDeps, input: PutAttributesRequest, ctx: RequestContext) {
  return changeAttributes(deps, input, ctx, (current, a) => [
    ...current.filter((x) => x.name !== a.name),
    { name: a.name!, ...(a.value !== undefined ? { value: a.value } : {}) },
  ]);
}

export async function deleteAttributes(deps: EcsDeps, input: DeleteAttributesRequest, ctx: RequestContext) {
  return changeAttributes(deps, input, ctx, (current, a) => current.filter((x) => x.name !== a.name));
}

export async function listAttributes(deps: EcsDeps, input: ListAttributesRequest, ctx: RequestContext) {
  const cluster = await requireCluster(deps, input.cluster, ctx);
  if (input.targetType !== "container-instance") {
    throw invalidParameter(`Invalid targetType '${input.targetType}': only container-instance is supported.`);
  }
  if (input.attributeValue !== undefined && input.attributeName === undefined) {
    throw invalidParameter("attributeValue can only be specified together with attributeName.");
  }
  const size = pageSize(input.maxResults, 100);
  const after = decodeToken(input.nextToken);
  const rows: { key: string; attr: Attribute }[] = [];
  for (const doc of await registeredInstances(deps, cluster.clusterArn)) {
    for (const a of doc.attributes) {
      if (input.attributeName !== undefined && a.name !== input.attributeName) continue;
      if (input.attributeValue !== undefined && a.value !== input.attributeValue) continue;
      const key = `${doc.wharf.sort}\u0000${a.name}`;
      if (after !== undefined && key <= after) continue;
      rows.push({
        key,
        attr: { name: a.name, ...(a.value !== undefined ? { value: a.value } : {}), targetType: "container-instance", targetId: doc.containerInstanceArn },
      });
    }
  }
  rows.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const { items, nextToken } = page(rows, size, (r) => r.key);
  return { attributes: items.map((r) => r.attr), ...(nextToken ? { nextToken } : {}) };
}
