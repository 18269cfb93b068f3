import { AwsError } from "../../core/errors.js";
import { resourceTypeOf } from "../../core/ec2/ids.js";
import type { CallContext, Operation, QueryService } from "../../edge/service.js";
import { validateInput } from "../../edge/shape-model.js";
import { authorizationOf, type OperationSpec, tagListToMap } from "../operation-spec.js";
export { lookupSecurityGroupRules, lookupSubnet, lookupVpc } from "./lookup.js";
import { type Ec2Deps, ec2Arn } from "./deps.js";
import { ec2NotImplemented } from "./errors.js";
import { ec2Model } from "./model.generated.js";
import { ensureRegion } from "./network-defaults.js";
import * as internetGateways from "./internet-gateways.js";
import * as networkAcls from "./network-acls.js";
import * as networkInterfaces from "./network-interfaces.js";
import * as regions from "./regions.js";
import * as routeTables from "./route-tables.js";
import * as tags from "./tags.js";
import * as securityGroups from "./security-groups.js";
import * as subnets from "./subnets.js";
import { ec2Reporter } from "./validation.js";
import * as vpcs from "./vpcs.js";

type Spec = OperationSpec<Ec2Deps>;
type Resources = Spec["resources"];

const all = (type: string): Resources => (_i, p) => [ec2Arn(p, type, "*")];
const one = (type: string, key: string): Resources => (i, p) => [ec2Arn(p, type, (i as Record<string, string>)[key] ?? "*")];
const none: Resources = () => ["*"];

const spec = (name: string, run: Spec["run"], resources: Resources): [string, Spec] => [name, { run, action: `ec2:${name}`, resources }];

/**
 * EC2 operations Wharf serves: one module per resource, one function per operation, each with
 * its IAM action and the resource ARNs it acts on (`arn:aws:ec2:REGION:ACCOUNT:vpc/vpc-…`).
 */
export const ec2Operations: Record<string, Spec> = Object.fromEntries([
  spec("DescribeRegions", regions.describeRegions, none),
  spec("DescribeAvailabilityZones", regions.describeAvailabilityZones, none),
  spec("DescribeAccountAttributes", regions.describeAccountAttributes, none),
  spec("CreateVpc", vpcs.createVpc, all("vpc")),
  spec("DescribeVpcs", vpcs.describeVpcs, none),
  spec("DeleteVpc", vpcs.deleteVpc, one("vpc", "VpcId")),
  spec("DescribeVpcAttribute", vpcs.describeVpcAttribute, one("vpc", "VpcId")),
  spec("ModifyVpcAttribute", vpcs.modifyVpcAttribute, one("vpc", "VpcId")),
  spec("CreateSubnet", subnets.createSubnet, all("subnet")),
  spec("DescribeSubnets", subnets.describeSubnets, none),
  spec("DeleteSubnet", subnets.deleteSubnet, one("subnet", "SubnetId")),
  spec("ModifySubnetAttribute", subnets.modifySubnetAttribute, one("subnet", "SubnetId")),
  spec("CreateSecurityGroup", securityGroups.createSecurityGroup, all("security-group")),
  spec("DescribeSecurityGroups", securityGroups.describeSecurityGroups, none),
  spec("DeleteSecurityGroup", securityGroups.deleteSecurityGroup, one("security-group", "GroupId")),
  spec("AuthorizeSecurityGroupIngress", securityGroups.authorizeSecurityGroupIngress, one("security-group", "GroupId")),
  spec("AuthorizeSecurityGroupEgress", securityGroups.authorizeSecurityGroupEgress, one("security-group", "GroupId")),
  spec("RevokeSecurityGroupIngress", securityGroups.revokeSecurityGroupIngress, one("security-group", "GroupId")),
  spec("RevokeSecurityGroupEgress", securityGroups.revokeSecurityGroupEgress, one("security-group", "GroupId")),
  spec("DescribeSecurityGroupRules", securityGroups.describeSecurityGroupRules, none),
  spec("ModifySecurityGroupRules", securityGroups.modifySecurityGroupRules, one("security-group", "GroupId")),
  spec("CreateInternetGateway", internetGateways.createInternetGateway, all("internet-gateway")),
  spec("DescribeInternetGateways", internetGateways.describeInternetGateways, none),
  spec("DeleteInternetGateway", internetGateways.deleteInternetGateway, one("internet-gateway", "InternetGatewayId")),
  spec("AttachInternetGateway", internetGateways.attachInternetGateway, one("internet-gateway", "InternetGatewayId")),
  spec("DetachInternetGateway", internetGateways.detachInternetGateway, one("internet-gateway", "InternetGatewayId")),
  spec("CreateRouteTable", routeTables.createRouteTable, all("route-table")),
  spec("DescribeRouteTables", routeTables.describeRouteTables, none),
  spec("DeleteRouteTable", routeTables.deleteRouteTable, one("route-table", "RouteTableId")),
  spec("AssociateRouteTable", routeTables.associateRouteTable, one("route-table", "RouteTableId")),
  spec("DisassociateRouteTable", routeTables.disassociateRouteTable, all("route-table")),
  spec("CreateRoute", routeTables.createRoute, one("route-table", "RouteTableId")),
  spec("DeleteRoute", routeTables.deleteRoute, one("route-table", "RouteTableId")),
  spec("DescribeNetworkAcls", networkAcls.describeNetworkAcls, none),
  spec("DescribeNetworkInterfaces", networkInterfaces.describeNetworkInterfaces, none),
  spec("CreateTags", tags.createTags, (i: { Resources?: string[] }, p) => (i.Resources ?? []).map((id) => ec2Arn(p, resourceTypeOf(id) ?? "*", id))),
  spec("DeleteTags", tags.deleteTags, (i: { Resources?: string[] }, p) => (i.Resources ?? []).map((id) => ec2Arn(p, resourceTypeOf(id) ?? "*", id))),
  spec("DescribeTags", tags.describeTags, none),
]);

/** aws:RequestTag/… and aws:TagKeys: the tags a Create call's TagSpecifications (or CreateTags' Tags) put on. */
function ec2CallContext(input: { TagSpecifications?: { Tags?: unknown }[]; Tags?: unknown }): CallContext {
  const specs = input.TagSpecifications;
  if (Array.isArray(specs)) return { requestTags: Object.assign({}, ...specs.map((s) => tagListToMap(s?.Tags) ?? {})) };
  const tags = tagListToMap(input.Tags);
  return tags ? { requestTags: tags } : {};
}

const dryRun = () => new AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);

/** The EC2 service (EC2 protocol, signing name `ec2`): every operation of the model, the unbuilt ones answering so. */
export function ec2Service(deps: Ec2Deps): QueryService {
  const operations: Record<string, Operation> = {};
  for (const name of Object.keys(ec2Model.operations)) {
    const impl = Object.hasOwn(ec2Operations, name) ? ec2Operations[name] : undefined;
    const reporter = ec2Reporter(ec2Model, name);
    operations[name] = impl
      ? async (raw, ctx) => {
          const input = validateInput(ec2Model, name, raw, { reporter });
          if (input.DryRun === true) throw dryRun();
          await ensureRegion(deps, ctx.principal);
          return impl.run(deps, input, ctx);
        }
      : () => {
          throw ec2NotImplemented(name);
        };
  }
  return {
    protocol: "ec2",
    signingName: "ec2",
    model: ec2Model,
    operations,
    authorization: authorizationOf(ec2Operations, ec2CallContext),
    resourceTags: (arn, p) => tags.ec2ResourceTags(deps, arn, p.region),
  };
}
