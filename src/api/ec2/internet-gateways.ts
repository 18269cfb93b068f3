import type {
  AttachInternetGatewayRequest,
  CreateInternetGatewayRequest,
  CreateInternetGatewayResult,
  DeleteInternetGatewayRequest,
  DescribeInternetGatewaysRequest,
  DescribeInternetGatewaysResult,
  DetachInternetGatewayRequest,
  InternetGateway,
  InternetGatewayAttachment,
} from "@aws-sdk/client-ec2";
import { AwsError } from "../../core/errors.js";
import type { FilterTable } from "../../core/ec2/filters.js";
import { ec2Id } from "../../core/ec2/ids.js";
import type { RequestContext } from "../../edge/service.js";
import { deleteOp, type Ec2Deps, ec2Lock, getIn, listIn, putOp, rand } from "./deps.js";
import { describe } from "./describe.js";
import type { InternetGatewayDoc } from "./docs.js";
import { dependencyViolation, igwNotFound, missingParameter } from "./errors.js";
import { tagsFromSpecs, tagsOut } from "./tag-specs.js";
import { vpcOrThrow } from "./vpcs.js";

/**
 * Internet gateways are stored and attached to VPCs (one each), so stacks that declare them apply;
 * Wharf routes locally, so no traffic goes through them (docs/ec2.md).
 */
export const igwOut = (g: InternetGatewayDoc): InternetGateway => ({
  // EC2 shows an attached gateway's attachment as `available` (not one of AttachmentStatus's values).
  Attachments: g.vpcId ? [{ State: "available" as InternetGatewayAttachment["State"], VpcId: g.vpcId }] : [],
  InternetGatewayId: g.internetGatewayId,
  OwnerId: g.ownerId,
  ...tagsOut(g.tags),
});

const IGW_FILTERS: FilterTable<InternetGatewayDoc> = {
  "attachment.state": (g) => (g.vpcId ? "available" : undefined),
  "attachment.vpc-id": (g) => g.vpcId,
  "internet-gateway-id": (g) => g.internetGatewayId,
  "owner-id": (g) => g.ownerId,
};

async function igwOrThrow(deps: Ec2Deps, region: string, id: string | undefined): Promise<InternetGatewayDoc> {
  if (id === undefined || id === "") throw missingParameter("InternetGatewayId");
  const g = await getIn<InternetGatewayDoc>(deps, "ec2-internet-gateway", region, id);
  if (!g) throw igwNotFound([id]);
  return g;
}

export async function createInternetGateway(deps: Ec2Deps, input: CreateInternetGatewayRequest, ctx: RequestContext): Promise<CreateInternetGatewayResult> {
  const p = ctx.principal;
  const tags = tagsFromSpecs(input.TagSpecifications, "internet-gateway");
  const g: InternetGatewayDoc = { region: p.region, ownerId: p.accountId, tags, internetGatewayId: ec2Id("igw", rand(deps)) };
  await deps.lock(ec2Lock(p.region), () => deps.store.write([putOp("ec2-internet-gateway", p.region, g.internetGatewayId, g)]));
  return { InternetGateway: igwOut(g) };
}

export async function describeInternetGateways(deps: Ec2Deps, input: DescribeInternetGatewaysRequest, ctx: RequestContext): Promise<DescribeInternetGatewaysResult> {
  const all = await listIn<InternetGatewayDoc>(deps, "ec2-internet-gateway", ctx.principal.region);
  const page = describe(all, (g) => g.internetGatewayId, { ...input, ids: input.InternetGatewayIds, idsParam: "internetGatewayIds" }, IGW_FILTERS, igwNotFound);
  return { InternetGateways: page.items.map(igwOut), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function deleteInternetGateway(deps: Ec2Deps, input: DeleteInternetGatewayRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  await deps.lock(ec2Lock(region), async () => {
    const g = await igwOrThrow(deps, region, input.InternetGatewayId);
    if (g.vpcId) throw dependencyViolation(`The internetGateway '${g.internetGatewayId}' has dependencies and cannot be deleted.`);
    await deps.store.write([deleteOp("ec2-internet-gateway", g.internetGatewayId)]);
  });
  return {};
}

export async function attachInternetGateway(deps: Ec2Deps, input: AttachInternetGatewayRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  await deps.lock(ec2Lock(region), async () => {
    const g = await igwOrThrow(deps, region, input.InternetGatewayId);
    const vpc = await vpcOrThrow(deps, region, input.VpcId);
    if (g.vpcId) {
      throw new AwsError("Resource.AlreadyAssociated", `resource ${g.internetGatewayId} is already attached to network ${g.vpcId}`);
    }
    const other = (await listIn<InternetGatewayDoc>(deps, "ec2-internet-gateway", region)).find((x) => x.vpcId === vpc.vpcId);
    if (other) {
      throw new AwsError("Resource.AlreadyAssociated", `Network ${vpc.vpcId} already has an internet gateway attached`);
    }
    await deps.store.write([putOp("ec2-internet-gateway", region, g.internetGatewayId, { ...g, vpcId: vpc.vpcId })]);
  });
  return {};
}

export async function detachInternetGateway(deps: Ec2Deps, input: DetachInternetGatewayRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  await deps.lock(ec2Lock(region), async () => {
    const g = await igwOrThrow(deps, region, input.InternetGatewayId);
    const vpc = await vpcOrThrow(deps, region, input.VpcId);
    if (g.vpcId !== vpc.vpcId) {
      throw new AwsError("Gateway.NotAttached", `resource ${g.internetGatewayId} is not attached to network ${vpc.vpcId}`);
    }
    // Routes through it stay, as in AWS, and show as blackholes.
    const { vpcId: _was, ...detached } = g;
    await deps.store.write([putOp("ec2-internet-gateway", region, g.internetGatewayId, detached)]);
  });
  return {};
}
