import type { TaskEni } from "../../contracts/agent-protocol.js";
import { partitionOf } from "../../core/arn.js";
import type { RequestContext } from "../../edge/service.js";
import type { TaskDoc } from "../../records/task-doc.js";
import type { NetworkInterfaceDoc } from "../ec2/docs.js";
import type { SubnetInfo } from "../ec2/lookup.js";

/**
 * The AWS account ECS creates task ENIs as (`RequesterId`), as a us-east-1 task ENI shows it; the
 * same id is given in every Region (other Regions' values are not verified, see docs/ec2.md).
 */
export const ECS_REQUESTER_ID = "578734482556";

/**
 * The EC2 record of a task's ENI, as DescribeNetworkInterfaces lists ECS task ENIs: requester
 * managed by ECS, described by the task's attachment ARN, attached at device index 1 with
 * DeleteOnTermination false (ECS deletes it when the task stops), to the container instance
 * (`InstanceId`, the instance's owner) for the EC2 launch type.
 */
export function taskEniRecord(
  ctx: RequestContext,
  doc: TaskDoc,
  eni: TaskEni,
  subnet: SubnetInfo,
  nowSeconds: number,
  ec2InstanceId?: string,
): NetworkInterfaceDoc {
  const p = ctx.principal;
  const fargate = !!doc.wharf.capacityArn;
  return {
    region: p.region,
    ownerId: p.accountId,
    tags: [],
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    privateIpAddress: eni.privateIpv4Address,
    ...(subnet.enableDnsHostnames ? { privateDnsName: eni.privateDnsName } : {}),
    macAddress: eni.macAddress,
    groups: eni.securityGroupIds ?? [],
    interfaceType: "interface",
    status: "in-use",
    description: `arn:${partitionOf(p.region)}:ecs:${p.region}:${p.accountId}:attachment/${eni.attachmentId}`,
    requesterId: ECS_REQUESTER_ID,
    requesterManaged: true,
    attachment: {
      attachmentId: `eni-attach-${eni.networkInterfaceId.slice(4)}`,
      status: "attached",
      deviceIndex: 1,
      attachTime: nowSeconds,
      deleteOnTermination: false,
      ...(!fargate && ec2InstanceId ? { instanceId: ec2InstanceId, instanceOwnerId: p.accountId } : {}),
    },
    taskArn: doc.taskArn,
  };
}
