import type { DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult, NetworkInterface } from "@aws-sdk/client-ec2";
import type { FilterTable } from "../../core/ec2/filters.js";
import { xmlTimestampDate } from "./time.js";
import type { RequestContext } from "../../edge/service.js";
import { type Ec2Deps, listIn } from "./deps.js";
import { describe } from "./describe.js";
import type { NetworkInterfaceDoc, SecurityGroupDoc } from "./docs.js";
import { eniNotFound } from "./errors.js";

/** Network interfaces as the store holds them (task ENIs, written by the ECS side). */
export function eniOut(e: NetworkInterfaceDoc, groupNames: Map<string, string>): NetworkInterface {
  return {
    ...(e.attachment
      ? {
          Attachment: {
            AttachmentId: e.attachment.attachmentId,
            AttachTime: xmlTimestampDate(e.attachment.attachTime),
            DeleteOnTermination: e.attachment.deleteOnTermination ?? true,
            DeviceIndex: e.attachment.deviceIndex,
            ...(e.attachment.instanceId ? { InstanceId: e.attachment.instanceId } : {}),
            Status: e.attachment.status as "attached",
            ...(e.attachment.instanceOwnerId ? { InstanceOwnerId: e.attachment.instanceOwnerId } : {}),
          },
        }
      : {}),
    AvailabilityZone: e.availabilityZone,
    Description: e.description,
    Groups: e.groups.map((id) => ({ GroupId: id, GroupName: groupNames.get(id) ?? "" })),
    InterfaceType: e.interfaceType as NetworkInterface["InterfaceType"],
    Ipv6Addresses: [],
    MacAddress: e.macAddress,
    NetworkInterfaceId: e.networkInterfaceId,
    OwnerId: e.ownerId,
    ...(e.privateDnsName ? { PrivateDnsName: e.privateDnsName } : {}),
    PrivateIpAddress: e.privateIpAddress,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.privateIpAddress, ...(e.privateDnsName ? { PrivateDnsName: e.privateDnsName } : {}) }],
    ...(e.requesterId ? { RequesterId: e.requesterId } : {}),
    RequesterManaged: e.requesterManaged,
    SourceDestCheck: true,
    Status: e.status,
    SubnetId: e.subnetId,
    TagSet: e.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
    VpcId: e.vpcId,
  };
}

const ENI_FILTERS: FilterTable<NetworkInterfaceDoc> = {
  "addresses.private-ip-address": (e) => e.privateIpAddress,
  "attachment.attachment-id": (e) => e.attachment?.attachmentId,
  "attachment.instance-id": (e) => e.attachment?.instanceId,
  "attachment.instance-owner-id": (e) => e.attachment?.instanceOwnerId,
  "attachment.status": (e) => e.attachment?.status,
  "availability-zone": (e) => e.availabilityZone,
  description: (e) => e.description,
  "group-id": (e) => e.groups,
  "interface-type": (e) => e.interfaceType,
  "mac-address": (e) => e.macAddress,
  "network-interface-id": (e) => e.networkInterfaceId,
  "owner-id": (e) => e.ownerId,
  "private-ip-address": (e) => e.privateIpAddress,
  "private-dns-name": (e) => e.privateDnsName,
  "requester-id": (e) => e.requesterId,
  "requester-managed": (e) => e.requesterManaged,
  status: (e) => e.status,
  "subnet-id": (e) => e.subnetId,
  "vpc-id": (e) => e.vpcId,
};

export async function describeNetworkInterfaces(
  deps: Ec2Deps,
  input: DescribeNetworkInterfacesRequest,
  ctx: RequestContext,
): Promise<DescribeNetworkInterfacesResult> {
  const region = ctx.principal.region;
  const all = await listIn<NetworkInterfaceDoc>(deps, "ec2-network-interface", region);
  const page = describe(all, (e) => e.networkInterfaceId, { ...input, ids: input.NetworkInterfaceIds, idsParam: "networkInterfaceIds" }, ENI_FILTERS, eniNotFound);
  const names = new Map((await listIn<SecurityGroupDoc>(deps, "ec2-security-group", region)).map((g) => [g.groupId, g.groupName]));
  return { NetworkInterfaces: page.items.map((e) => eniOut(e, names)), ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}
