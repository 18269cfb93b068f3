import type {
  CapacityProvider,
  CreateCapacityProviderRequest,
  DeleteCapacityProviderRequest,
  DescribeCapacityProvidersRequest,
  UpdateCapacityProviderRequest,
} from "@aws-sdk/client-ecs";
import { capacityProviderArn, lastSegment, parseArn, isOwn } from "../../core/arn.js";
import { AwsError, clientException, invalidParameter } from "../../core/errors.js";
import { FARGATE_PROVIDERS } from "../../core/fargate/index.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import { validateTags } from "../../core/tags.js";
import type { RequestContext } from "../../edge/service.js";
import type { EcsDeps } from "./deps.js";
import { putTagsOp, readTags } from "../../records/tag-store.js";

/**
 * Capacity providers. FARGATE and FARGATE_SPOT are built in (every account has them); others are
 * EC2-style providers. Wharf has no Auto Scaling groups: a provider's group is the container
 * instances that joined it (`wharf agent --capacity-provider NAME`, the `wharf.capacity-provider`
 * attribute), and its autoScalingGroupArn is stored as given. Managed scaling, managed
 * termination protection and managed draining are stored and echoed, not acted on: Wharf has no
 * instances to launch or terminate, and DescribeCapacityProviders says so in updateStatusReason.
 */

/** The attribute that puts a container instance in a provider's group. */
export const CAPACITY_PROVIDER_ATTRIBUTE = "wharf.capacity-provider";
export const NOT_MANAGED_REASON =
  "Wharf has no Auto Scaling groups: this provider's capacity is the container instances that joined it (wharf agent --capacity-provider NAME); managed scaling, termination protection and draining are stored but not acted on.";

export type CapacityProviderDoc = Omit<CapacityProvider, "tags"> & { capacityProviderArn: string; name: string; status: string };

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const ASG_ARN_RE = /^arn:aws[a-z-]*:autoscaling:[a-z0-9-]+:\d{12}:autoScalingGroup:[0-9a-f-]+:autoScalingGroupName\/[^\s]{1,255}$/;
const MAX_PROVIDERS = 10;

const builtIn = (ctx: RequestContext, name: string): CapacityProviderDoc => ({
  capacityProviderArn: capacityProviderArn(ctx.principal, name),
  name,
  status: "ACTIVE",
  type: name as CapacityProvider["type"],
});

const notFound = (): AwsError => clientException("The specified capacity provider does not exist. Specify a valid name or ARN and try again.");

/** The stored provider a name or ARN names (ACTIVE or not), or undefined. */
export async function findCapacityProvider(deps: EcsDeps, ref: string, ctx: RequestContext): Promise<CapacityProviderDoc | undefined> {
  let name = ref;
  if (ref.startsWith("arn:")) {
    const parsed = parseArn(ref);
    if (!parsed || parsed.resourceType !== "capacity-provider" || !isOwn(ctx.principal, parsed)) return undefined;
    name = lastSegment(parsed.resource);
  }
  if (FARGATE_PROVIDERS.has(name)) return builtIn(ctx, name);
  return (await deps.store.get<CapacityProviderDoc>("capacity-provider", capacityProviderArn(ctx.principal, name)))?.value;
}

function checkManagedScaling(ms: NonNullable<CreateCapacityProviderRequest["autoScalingGroupProvider"]>["managedScaling"]): void {
  if (!ms) return;
  if (ms.targetCapacity !== undefined && (ms.targetCapacity < 1 || ms.targetCapacity > 100)) {
    throw clientException("The managed scaling target capacity must be between 1 and 100.");
  }
  for (const [k, v] of [["minimumScalingStepSize", ms.minimumScalingStepSize], ["maximumScalingStepSize", ms.maximumScalingStepSize]] as const) {
    if (v !== undefined && (v < 1 || v > 10000)) throw clientException(`The managed scaling ${k} must be between 1 and 10000.`);
  }
  if ((ms.minimumScalingStepSize ?? 1) > (ms.maximumScalingStepSize ?? 10000)) {
    throw clientException("The managed scaling minimumScalingStepSize must be less than or equal to maximumScalingStepSize.");
  }
}

export async function createCapacityProvider(deps: EcsDeps, input: CreateCapacityProviderRequest, ctx: RequestContext) {
  if (!NAME_RE.test(input.name ?? "")) {
    throw clientException("The specified capacity provider name is invalid. Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.");
  }
  if (/^(aws|ecs|fargate)/i.test(input.name!)) {
    throw clientException("The specified capacity provider name is invalid. Capacity provider names can't be prefixed with 'aws', 'ecs', or 'fargate'.");
  }
  if (input.managedInstancesProvider) {
    throw new AwsError("UnsupportedFeatureException", "ECS Managed Instances capacity providers are not implemented by Wharf yet.");
  }
  const asg = input.autoScalingGroupProvider;
  if (!asg) throw invalidParameter("autoScalingGroupProvider must be specified.");
  if (!ASG_ARN_RE.test(asg.autoScalingGroupArn ?? "")) {
    throw clientException("The specified Auto Scaling group ARN is invalid. Specify a valid Auto Scaling group ARN and try again.");
  }
  checkManagedScaling(asg.managedScaling);
  const tags = validateTags(input.tags);
  const arn = capacityProviderArn(ctx.principal, input.name!);
  return deps.lock(`capacity-provider:${ctx.principal.accountId}`, async () => {
    const existing = (await deps.store.get<CapacityProviderDoc>("capacity-provider", arn))?.value;
    if (existing) {
      throw clientException("The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.");
    }
    const all = await deps.store.list<CapacityProviderDoc>("capacity-provider", { scope: ctx.principal.accountId });
    if (all.filter((r) => r.value.status === "ACTIVE").length >= MAX_PROVIDERS) {
      throw new AwsError("LimitExceededException", `The maximum number of capacity providers (${MAX_PROVIDERS}) has been reached.`);
    }
    const doc: CapacityProviderDoc = {
      capacityProviderArn: arn,
      name: input.name!,
      status: "ACTIVE",
      type: "EC2_AUTOSCALING" as CapacityProvider["type"],
      autoScalingGroupProvider: {
        autoScalingGroupArn: asg.autoScalingGroupArn!,
        managedScaling: {
          status: asg.managedScaling?.status ?? "DISABLED",
          targetCapacity: asg.managedScaling?.targetCapacity ?? 100,
          minimumScalingStepSize: asg.managedScaling?.minimumScalingStepSize ?? 1,
          maximumScalingStepSize: asg.managedScaling?.maximumScalingStepSize ?? 10000,
          instanceWarmupPeriod: asg.managedScaling?.instanceWarmupPeriod ?? 300,
        },
        managedTerminationProtection: asg.managedTerminationProtection ?? "DISABLED",
        managedDraining: asg.managedDraining ?? "ENABLED",
      },
      updateStatus: "CREATE_COMPLETE" as CapacityProvider["updateStatus"],
      updateStatusReason: NOT_MANAGED_REASON,
    };
    await deps.store.write([
      { op: "put", kind: "capacity-provider", id: arn, scope: ctx.principal.accountId, value: doc },
      ...(tags.length ? [putTagsOp(arn, tags)] : []),
    ]);
    return { capacityProvider: { ...doc, tags } };
  });
}

export async function updateCapacityProvider(deps: EcsDeps, input: UpdateCapacityProviderRequest, ctx: RequestContext) {
  if (input.managedInstancesProvider) {
    throw new AwsError("UnsupportedFeatureException", "ECS Managed Instances capacity providers are not implemented by Wharf yet.");
  }
  const current = await findCapacityProvider(deps, input.name ?? "", ctx);
  if (!current || current.status !== "ACTIVE") throw notFound();
  if (FARGATE_PROVIDERS.has(current.name)) throw clientException("The FARGATE and FARGATE_SPOT capacity providers cannot be updated.");
  const asg = input.autoScalingGroupProvider ?? {};
  checkManagedScaling(asg.managedScaling);
  return deps.lock(`capacity-provider:${ctx.principal.accountId}`, async () => {
    const base = (await deps.store.get<CapacityProviderDoc>("capacity-provider", current.capacityProviderArn))!.value;
    const prev = base.autoScalingGroupProvider!;
    const doc: CapacityProviderDoc = {
      ...base,
      autoScalingGroupProvider: {
        ...prev,
        ...(asg.managedScaling ? { managedScaling: { ...prev.managedScaling, ...asg.managedScaling } } : {}),
        ...(asg.managedTerminationProtection ? { managedTerminationProtection: asg.managedTerminationProtection } : {}),
        ...(asg.managedDraining ? { managedDraining: asg.managedDraining } : {}),
      },
      updateStatus: "UPDATE_COMPLETE" as CapacityProvider["updateStatus"],
    };
    await deps.store.write([{ op: "put", kind: "capacity-provider", id: doc.capacityProviderArn, scope: ctx.principal.accountId, value: doc }]);
    return { capacityProvider: { ...doc, tags: await readTags(deps.store, doc.capacityProviderArn) } };
  });
}

export async function deleteCapacityProvider(deps: EcsDeps, input: DeleteCapacityProviderRequest, ctx: RequestContext) {
  const current = await findCapacityProvider(deps, input.capacityProvider ?? "", ctx);
  if (!current || current.status !== "ACTIVE") throw notFound();
  if (FARGATE_PROVIDERS.has(current.name)) throw clientException("The FARGATE and FARGATE_SPOT capacity providers cannot be deleted.");
  const clusters = await deps.store.list<{ clusterName: string; status: string; capacityProviders?: string[] }>("cluster");
  const using = clusters.find((c) => c.value.status === "ACTIVE" && (c.value.capacityProviders ?? []).includes(current.name));
  if (using) {
    throw new AwsError(
      "ResourceInUseException",
      `The specified capacity provider is in use and cannot be removed. It is associated with cluster '${using.value.clusterName}'.`,
    );
  }
  const doc: CapacityProviderDoc = { ...current, status: "INACTIVE", updateStatus: "DELETE_COMPLETE" as CapacityProvider["updateStatus"] };
  await deps.store.write([{ op: "put", kind: "capacity-provider", id: doc.capacityProviderArn, scope: ctx.principal.accountId, value: doc }]);
  return { capacityProvider: { ...doc, tags: await readTags(deps.store, doc.capacityProviderArn) } };
}

export async function describeCapacityProviders(deps: EcsDeps, input: DescribeCapacityProvidersRequest, ctx: RequestContext) {
  const withTags = (input.include ?? []).includes("TAGS");
  const render = async (d: CapacityProviderDoc): Promise<CapacityProvider> =>
    withTags ? { ...d, tags: await readTags(deps.store, d.capacityProviderArn) } : { ...d };
  if (input.capacityProviders?.length) {
    if (input.capacityProviders.length > 100) throw invalidParameter("capacityProviders can have at most 100 items.");
    const found: CapacityProvider[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const ref of input.capacityProviders) {
      const d = await findCapacityProvider(deps, ref, ctx);
      if (d) found.push(await render(d));
      else failures.push({ arn: ref.startsWith("arn:") ? ref : capacityProviderArn(ctx.principal, ref), reason: "MISSING" });
    }
    return { capacityProviders: found, failures };
  }
  const size = pageSize(input.maxResults, 10, 10);
  const after = decodeToken(input.nextToken);
  const stored = (await deps.store.list<CapacityProviderDoc>("capacity-provider", { scope: ctx.principal.accountId }))
    .map((r) => r.value)
    .filter((d) => d.status === "ACTIVE");
  const all = [...[...FARGATE_PROVIDERS].map((n) => builtIn(ctx, n)), ...stored.sort((a, b) => a.name.localeCompare(b.name))];
  const rest = after === undefined ? all : all.slice(all.findIndex((d) => d.name === after) + 1);
  const { items, nextToken } = page(rest, size, (d) => d.name);
  return { capacityProviders: await Promise.all(items.map(render)), failures: [], ...(nextToken ? { nextToken } : {}) };
}
