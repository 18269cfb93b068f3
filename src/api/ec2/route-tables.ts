import type {
  AssociateRouteTableRequest,
  AssociateRouteTableResult,
  CreateRouteRequest,
  CreateRouteResult,
  CreateRouteTableRequest,
  CreateRouteTableResult,
  DeleteRouteRequest,
  DeleteRouteTableRequest,
  DescribeRouteTablesRequest,
  DescribeRouteTablesResult,
  DisassociateRouteTableRequest,
  Route,
  RouteTable,
} from "@aws-sdk/client-ec2";
import { AwsError } from "../../core/errors.js";
import { parseCidr } from "../../core/ec2/cidr.js";
import type { FilterTable } from "../../core/ec2/filters.js";
import { ec2Id } from "../../core/ec2/ids.js";
import type { RequestContext } from "../../edge/service.js";
import { deleteOp, type Ec2Deps, ec2Lock, getIn, listIn, putOp, rand } from "./deps.js";
import { describe } from "./describe.js";
import type { InternetGatewayDoc, RouteDoc, RouteTableDoc } from "./docs.js";
import { associationNotFound, dependencyViolation, igwNotFound, invalidValue, missingParameter, routeTableNotFound } from "./errors.js";
import { subnetOrThrow } from "./subnets.js";
import { tagsFromSpecs, tagsOut } from "./tag-specs.js";
import { vpcOrThrow } from "./vpcs.js";

/**
 * Route tables, routes and associations are stored as EC2 keeps them (the local route, the main
 * table, explicit subnet associations). Wharf does not forward by them: every task address is
 * reachable locally (docs/ec2.md).
 */
const TARGETS = [
  ["gatewayId", "GatewayId"],
  ["natGatewayId", "NatGatewayId"],
  ["networkInterfaceId", "NetworkInterfaceId"],
  ["instanceId", "InstanceId"],
  ["transitGatewayId", "TransitGatewayId"],
  ["vpcPeeringConnectionId", "VpcPeeringConnectionId"],
  ["egressOnlyInternetGatewayId", "EgressOnlyInternetGatewayId"],
  ["vpcEndpointId", "VpcEndpointId"],
  ["carrierGatewayId", "CarrierGatewayId"],
  ["localGatewayId", "LocalGatewayId"],
  ["coreNetworkArn", "CoreNetworkArn"],
] as const;

function routeOut(r: RouteDoc, igws: Map<string, InternetGatewayDoc>, vpcId: string): Route {
  const out: Route = { Origin: r.origin, State: "active" };
  if (r.destinationCidrBlock !== undefined) out.DestinationCidrBlock = r.destinationCidrBlock;
  if (r.destinationIpv6CidrBlock !== undefined) out.DestinationIpv6CidrBlock = r.destinationIpv6CidrBlock;
  if (r.destinationPrefixListId !== undefined) out.DestinationPrefixListId = r.destinationPrefixListId;
  for (const [doc, api] of TARGETS) if (r[doc] !== undefined) (out as Record<string, unknown>)[api] = r[doc];
  if (r.gatewayId?.startsWith("igw-") && igws.get(r.gatewayId)?.vpcId !== vpcId) out.State = "blackhole";
  return out;
}

export function tableOut(t: RouteTableDoc, igws: Map<string, InternetGatewayDoc>): RouteTable {
  const assoc = (a: { associationId: string; subnetId?: string; gatewayId?: string }, main: boolean) => ({
    Main: main,
    RouteTableAssociationId: a.associationId,
    RouteTableId: t.routeTableId,
    ...(a.subnetId !== undefined ? { SubnetId: a.subnetId } : {}),
    ...(a.gatewayId !== undefined ? { GatewayId: a.gatewayId } : {}),
    AssociationState: { State: "associated" as const },
  });
  return {
    Associations: [...(t.mainAssociationId ? [assoc({ associationId: t.mainAssociationId }, true)] : []), ...t.associations.map((a) => assoc(a, false))],
    PropagatingVgws: [],
    RouteTableId: t.routeTableId,
    Routes: t.routes.map((r) => routeOut(r, igws, t.vpcId)),
    ...tagsOut(t.tags),
    VpcId: t.vpcId,
    OwnerId: t.ownerId,
  };
}

const TABLE_FILTERS: FilterTable<RouteTableDoc> = {
  "association.gateway-id": (t) => t.associations.map((a) => a.gatewayId),
  "association.route-table-association-id": (t) => [t.mainAssociationId, ...t.associations.map((a) => a.associationId)],
  "association.route-table-id": (t) => (t.mainAssociationId || t.associations.length ? t.routeTableId : undefined),
  "association.subnet-id": (t) => t.associations.map((a) => a.subnetId),
  "association.main": (t) => (t.mainAssociationId ? true : t.associations.length ? false : undefined),
  "owner-id": (t) => t.ownerId,
  "route-table-id": (t) => t.routeTableId,
  "route.destination-cidr-block": (t) => t.routes.map((r) => r.destinationCidrBlock),
  "route.gateway-id": (t) => t.routes.map((r) => r.gatewayId),
  "route.nat-gateway-id": (t) => t.routes.map((r) => r.natGatewayId),
  "route.origin": (t) => t.routes.map((r) => r.origin),
  "route.state": (t) => t.routes.map(() => "active"),
  "vpc-id": (t) => t.vpcId,
};

async function igwMap(deps: Ec2Deps, region: string): Promise<Map<string, InternetGatewayDoc>> {
  return new Map((await listIn<InternetGatewayDoc>(deps, "ec2-internet-gateway", region)).map((g) => [g.internetGatewayId, g]));
}

async function tableOrThrow(deps: Ec2Deps, region: string, id: string | undefined): Promise<RouteTableDoc> {
  if (id === undefined || id === "") throw missingParameter("RouteTableId");
  const t = await getIn<RouteTableDoc>(deps, "ec2-route-table", region, id);
  if (!t) throw routeTableNotFound([id]);
  return t;
}

export async function createRouteTable(deps: Ec2Deps, input: CreateRouteTableRequest, ctx: RequestContext): Promise<CreateRouteTableResult> {
  const p = ctx.principal;
  const tags = tagsFromSpecs(input.TagSpecifications, "route-table");
  return deps.lock(ec2Lock(p.region), async () => {
    const vpc = await vpcOrThrow(deps, p.region, input.VpcId);
    const t: RouteTableDoc = {
      region: p.region,
      ownerId: p.accountId,
      tags,
      routeTableId: ec2Id("rtb", rand(deps)),
      vpcId: vpc.vpcId,
      routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: "local", origin: "CreateRouteTable" }],
      associations: [],
    };
    await deps.store.write([putOp("ec2-route-table", p.region, t.routeTableId, t)]);
    return { RouteTable: tableOut(t, await igwMap(deps, p.region)) };
  });
}

export async function describeRouteTables(deps: Ec2Deps, input: DescribeRouteTablesRequest, ctx: RequestContext): Promise<DescribeRouteTablesResult> {
  const region = ctx.principal.region;
  const all = await listIn<RouteTableDoc>(deps, "ec2-route-table", region);
  const page = describe(all, (t) => t.routeTableId, { ...input, ids: input.RouteTableIds, idsParam: "routeTableIds" }, TABLE_FILTERS, routeTableNotFound);
  const igws = await igwMap(deps, region);
  return { RouteTables: page.items.map((t) => tableOut(t, igws)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

export async function deleteRouteTable(deps: Ec2Deps, input: DeleteRouteTableRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  await deps.lock(ec2Lock(region), async () => {
    const t = await tableOrThrow(deps, region, input.RouteTableId);
    if (t.mainAssociationId || t.associations.length > 0) {
      throw dependencyViolation(`The routeTable '${t.routeTableId}' has dependencies and cannot be deleted.`);
    }
    await deps.store.write([deleteOp("ec2-route-table", t.routeTableId)]);
  });
  return {};
}

export async function associateRouteTable(deps: Ec2Deps, input: AssociateRouteTableRequest, ctx: RequestContext): Promise<AssociateRouteTableResult> {
  const region = ctx.principal.region;
  if (input.SubnetId === undefined && input.GatewayId === undefined) throw missingParameter("SubnetId");
  return deps.lock(ec2Lock(region), async () => {
    const t = await tableOrThrow(deps, region, input.RouteTableId);
    const tables = await listIn<RouteTableDoc>(deps, "ec2-route-table", region);
    if (input.SubnetId !== undefined) {
      const subnet = await subnetOrThrow(deps, region, input.SubnetId);
      if (subnet.vpcId !== t.vpcId) {
        throw invalidValue(`Route table ${t.routeTableId} and subnet ${subnet.subnetId} belong to different networks`);
      }
      if (tables.some((x) => x.associations.some((a) => a.subnetId === subnet.subnetId))) {
        throw new AwsError("Resource.AlreadyAssociated", `the specified association for route table ${t.routeTableId} conflicts with an existing association`);
      }
    } else {
      const igw = await getIn<InternetGatewayDoc>(deps, "ec2-internet-gateway", region, input.GatewayId!);
      if (!igw) throw igwNotFound([input.GatewayId!]);
      if (tables.some((x) => x.associations.some((a) => a.gatewayId === igw.internetGatewayId))) {
        throw new AwsError("Resource.AlreadyAssociated", `the specified association for route table ${t.routeTableId} conflicts with an existing association`);
      }
    }
    const associationId = ec2Id("rtbassoc", rand(deps));
    const association = { associationId, ...(input.SubnetId !== undefined ? { subnetId: input.SubnetId } : { gatewayId: input.GatewayId! }) };
    await deps.store.write([putOp("ec2-route-table", region, t.routeTableId, { ...t, associations: [...t.associations, association] })]);
    return { AssociationId: associationId, AssociationState: { State: "associated" } };
  });
}

export async function disassociateRouteTable(deps: Ec2Deps, input: DisassociateRouteTableRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  const id = input.AssociationId;
  if (id === undefined) throw missingParameter("AssociationId");
  await deps.lock(ec2Lock(region), async () => {
    const tables = await listIn<RouteTableDoc>(deps, "ec2-route-table", region);
    if (tables.some((t) => t.mainAssociationId === id)) {
      throw invalidValue(`cannot disassociate the main route table association ${id}`);
    }
    const t = tables.find((x) => x.associations.some((a) => a.associationId === id));
    if (!t) throw associationNotFound(id);
    await deps.store.write([putOp("ec2-route-table", region, t.routeTableId, { ...t, associations: t.associations.filter((a) => a.associationId !== id) })]);
  });
  return {};
}

const destinationOf = (input: { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string; DestinationPrefixListId?: string }) =>
  input.DestinationCidrBlock ?? input.DestinationIpv6CidrBlock ?? input.DestinationPrefixListId;

const sameDestination = (r: RouteDoc, input: { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string; DestinationPrefixListId?: string }) =>
  (input.DestinationCidrBlock !== undefined && r.destinationCidrBlock === input.DestinationCidrBlock) ||
  (input.DestinationIpv6CidrBlock !== undefined && r.destinationIpv6CidrBlock === input.DestinationIpv6CidrBlock) ||
  (input.DestinationPrefixListId !== undefined && r.destinationPrefixListId === input.DestinationPrefixListId);

export async function createRoute(deps: Ec2Deps, input: CreateRouteRequest, ctx: RequestContext): Promise<CreateRouteResult> {
  const region = ctx.principal.region;
  const dest = destinationOf(input);
  if (dest === undefined) throw missingParameter("DestinationCidrBlock");
  if (input.DestinationCidrBlock !== undefined) {
    const c = parseCidr(input.DestinationCidrBlock);
    if (!c) throw invalidValue(`Value (${input.DestinationCidrBlock}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
  }
  const targets = TARGETS.filter(([, api]) => input[api] !== undefined);
  if (targets.length === 0) throw missingParameter("GatewayId");
  await deps.lock(ec2Lock(region), async () => {
    const t = await tableOrThrow(deps, region, input.RouteTableId);
    if (input.GatewayId?.startsWith("igw-")) {
      const igw = await getIn<InternetGatewayDoc>(deps, "ec2-internet-gateway", region, input.GatewayId);
      if (!igw) throw igwNotFound([input.GatewayId]);
      if (igw.vpcId !== t.vpcId) {
        throw invalidValue(`route table ${t.routeTableId} and network gateway ${input.GatewayId} belong to different networks`);
      }
    }
    if (t.routes.some((r) => sameDestination(r, input))) {
      throw new AwsError("RouteAlreadyExists", `The route identified by ${dest} already exists.`);
    }
    const route: RouteDoc = { origin: "CreateRoute" };
    if (input.DestinationCidrBlock !== undefined) route.destinationCidrBlock = input.DestinationCidrBlock;
    if (input.DestinationIpv6CidrBlock !== undefined) route.destinationIpv6CidrBlock = input.DestinationIpv6CidrBlock;
    if (input.DestinationPrefixListId !== undefined) route.destinationPrefixListId = input.DestinationPrefixListId;
    for (const [doc, api] of targets) route[doc] = input[api];
    await deps.store.write([putOp("ec2-route-table", region, t.routeTableId, { ...t, routes: [...t.routes, route] })]);
  });
  return { Return: true };
}

export async function deleteRoute(deps: Ec2Deps, input: DeleteRouteRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const region = ctx.principal.region;
  const dest = destinationOf(input);
  if (dest === undefined) throw missingParameter("DestinationCidrBlock");
  await deps.lock(ec2Lock(region), async () => {
    const t = await tableOrThrow(deps, region, input.RouteTableId);
    const route = t.routes.find((r) => sameDestination(r, input));
    if (!route) {
      const kind = input.DestinationCidrBlock !== undefined ? "destination-cidr-block" : input.DestinationIpv6CidrBlock !== undefined ? "destination-ipv6-cidr-block" : "destination-prefix-list-id";
      throw new AwsError("InvalidRoute.NotFound", `no route with ${kind} ${dest} in route table ${t.routeTableId}`);
    }
    if (route.gatewayId === "local") throw invalidValue(`cannot remove local route ${dest} in route table ${t.routeTableId}`);
    await deps.store.write([putOp("ec2-route-table", region, t.routeTableId, { ...t, routes: t.routes.filter((r) => r !== route) })]);
  });
  return {};
}
