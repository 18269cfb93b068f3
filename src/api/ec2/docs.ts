import type { SgRule } from "../../core/ec2/rules.js";

/**
 * The EC2 records Wharf stores (kinds `ec2-*`, scope = Region, id = the resource id). Output
 * shapes are built from them by each resource module; only what EC2 lets a user set or read is kept.
 */
export interface Tag {
  Key: string;
  Value: string;
}

interface Owned {
  region: string;
  ownerId: string;
  tags: Tag[];
}

export interface VpcDoc extends Owned {
  vpcId: string;
  cidrBlock: string;
  cidrAssociationId: string;
  instanceTenancy: string;
  isDefault: boolean;
  dhcpOptionsId: string;
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  enableNetworkAddressUsageMetrics: boolean;
  defaultSecurityGroupId: string;
  mainRouteTableId: string;
  defaultNetworkAclId: string;
}

export interface SubnetDoc extends Owned {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  enableDns64: boolean;
  hostnameType: "ip-name" | "resource-name";
  enableResourceNameDnsARecordOnLaunch: boolean;
  enableResourceNameDnsAAAARecordOnLaunch: boolean;
}

export interface SecurityGroupDoc extends Owned {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  rules: SgRule[];
}

export interface InternetGatewayDoc extends Owned {
  internetGatewayId: string;
  /** The VPC it is attached to. */
  vpcId?: string;
}

export interface RouteDoc {
  destinationCidrBlock?: string;
  destinationIpv6CidrBlock?: string;
  destinationPrefixListId?: string;
  /** `local`, `igw-…`, or the id of whatever other target the call named (stored as given). */
  gatewayId?: string;
  natGatewayId?: string;
  networkInterfaceId?: string;
  instanceId?: string;
  transitGatewayId?: string;
  vpcPeeringConnectionId?: string;
  egressOnlyInternetGatewayId?: string;
  vpcEndpointId?: string;
  carrierGatewayId?: string;
  localGatewayId?: string;
  coreNetworkArn?: string;
  origin: "CreateRouteTable" | "CreateRoute";
}

export interface RouteTableAssociationDoc {
  associationId: string;
  subnetId?: string;
  gatewayId?: string;
}

export interface RouteTableDoc extends Owned {
  routeTableId: string;
  vpcId: string;
  /** The VPC's main route table has this association id (subnets without their own use it). */
  mainAssociationId?: string;
  routes: RouteDoc[];
  associations: RouteTableAssociationDoc[];
}

export interface NetworkAclDoc extends Owned {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  /** Subnet id → association id. Every subnet of the VPC is associated with its default ACL. */
  associations: Record<string, string>;
}

/**
 * A network interface (kind `ec2-network-interface`). The API lists what the store holds; the ECS
 * task wiring writes one per awsvpc task ENI.
 */
export interface NetworkInterfaceDoc extends Owned {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  privateDnsName?: string;
  macAddress: string;
  groups: string[];
  /** `interface`, or `ecs_task`-style values EC2 uses for service-managed ENIs. */
  interfaceType: string;
  status: "available" | "in-use";
  description: string;
  requesterId?: string;
  requesterManaged: boolean;
  attachment?: {
    attachmentId: string;
    status: string;
    deviceIndex: number;
    attachTime: number;
    /** Absent: true. */
    deleteOnTermination?: boolean;
    instanceId?: string;
    instanceOwnerId?: string;
  };
  /** Wharf's own: the ECS task whose ENI this is (its address is free again once that task is STOPPED). */
  taskArn?: string;
}
