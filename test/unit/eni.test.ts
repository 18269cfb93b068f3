import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  DEFAULT_TASK_ENIS,
  DEFAULT_TRUNK_TASK_ENIS,
  macForAddress,
  newEniId,
  pickAddress,
  privateDnsName,
  subnetGateway,
  taskEniCapacity,
} from "../../src/core/eni.js";
import { place, requirementsFromNeeds, type InstanceSnapshot } from "../../src/core/placement/index.js";
import { taskNeeds } from "../../src/core/task-needs.js";
import { validateTaskNetwork, withEniStatus, withTaskEni } from "../../src/api/ecs/task-network.js";
import type { TaskDoc } from "../../src/records/task-doc.js";

const ENI = {
  attachmentId: "att-1",
  networkInterfaceId: "eni-0123456789abcdef0",
  subnetId: "subnet-1",
  subnetCidrBlock: "10.213.7.0/24",
  subnetGatewayIpv4Address: "10.213.7.1",
  privateIpv4Address: "10.213.7.4",
  macAddress: "0a:58:0a:d5:07:04",
  privateDnsName: "ip-10-213-7-4.ec2.internal",
};
const TASK = {
  taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/0123",
  lastStatus: "PROVISIONING",
  containers: [{ name: "app", networkInterfaces: [] }],
  attachments: [],
  wharf: {},
} as unknown as TaskDoc;

describe("task ENIs (pure)", () => {
  it("capacity: the type's ENIs minus the primary, the trunk's limit with awsvpcTrunking, explicit limits first", () => {
    assert.equal(taskEniCapacity({ trunking: false }), DEFAULT_TASK_ENIS);
    assert.equal(taskEniCapacity({ trunking: true }), DEFAULT_TRUNK_TASK_ENIS);
    assert.equal(taskEniCapacity({ instanceType: "c5.large", trunking: false }), 2);
    assert.equal(taskEniCapacity({ instanceType: "c5.large", trunking: true }), 10);
    assert.equal(taskEniCapacity({ instanceType: "m5.4xlarge", trunking: false }), 7);
    assert.equal(taskEniCapacity({ instanceType: "m5.4xlarge", trunking: true }), 60);
    // t3 does not support trunking: the setting changes nothing.
    assert.equal(taskEniCapacity({ instanceType: "t3.medium", trunking: true }), 2);
    assert.equal(taskEniCapacity({ instanceType: "c5.large", eniLimit: 5, trunking: false }), 5);
    assert.equal(taskEniCapacity({ eniLimit: 1, eniTrunkLimit: 4, trunking: true }), 4);
    assert.equal(taskEniCapacity({ eniLimit: 30, trunking: true }), 30, "trunking never lowers the limit");
  });

  it("gateways: the subnet's .1 (its router)", () => {
    assert.equal(subnetGateway("10.0.1.0/24"), "10.0.1.1");
    assert.equal(subnetGateway("172.31.16.0/20"), "172.31.16.1");
    assert.equal(subnetGateway("not-a-cidr"), undefined);
  });

  it("addresses: the lowest free from .4 to .254 (AWS reserves .0-.3 and .255)", () => {
    assert.equal(pickAddress("10.213.7.0/24", new Set()), "10.213.7.4");
    assert.equal(pickAddress("10.213.7.0/24", new Set(["10.213.7.4", "10.213.7.6"])), "10.213.7.5");
    const full = new Set(Array.from({ length: 251 }, (_, i) => `10.213.7.${i + 4}`));
    assert.equal(pickAddress("10.213.7.0/24", full), undefined);
    // Any block size: a /28 has 16 - 5 = 11 task addresses, .4 to .14 of its block.
    const small = Array.from({ length: 11 }, (_, i) => `10.0.1.${16 + 4 + i}`);
    assert.equal(pickAddress("10.0.1.16/28", new Set()), "10.0.1.20");
    assert.equal(pickAddress("10.0.1.16/28", new Set(small.slice(0, 10))), "10.0.1.30");
    assert.equal(pickAddress("10.0.1.16/28", new Set(small)), undefined);
    // A /20 crosses octets: after 172.31.0.255 comes 172.31.1.0.
    const low = new Set(Array.from({ length: 252 }, (_, i) => `172.31.0.${i + 4}`));
    assert.equal(pickAddress("172.31.0.0/20", low), "172.31.1.0");
  });

  it("identifiers look like EC2's", () => {
    assert.match(newEniId(), /^eni-[0-9a-f]{17}$/);
    assert.equal(macForAddress("10.213.7.4"), "0a:58:0a:d5:07:04");
    assert.equal(privateDnsName("10.213.7.4", "us-east-1"), "ip-10-213-7-4.ec2.internal");
    assert.equal(privateDnsName("10.213.7.4", "eu-west-1"), "ip-10-213-7-4.eu-west-1.compute.internal");
  });

  it("placement fails an awsvpc task with RESOURCE:ENI once the instance's ENIs are used", () => {
    const needs = taskNeeds({ networkMode: "awsvpc", containerDefinitions: [{ name: "a", memory: 64 }] });
    assert.equal(needs.eni, true);
    assert.equal(taskNeeds({ networkMode: "bridge", containerDefinitions: [{ name: "a", memory: 64 }] }).eni, undefined);
    const inst = (eni: number): InstanceSnapshot => ({
      arn: "i1",
      status: "ACTIVE",
      agentConnected: true,
      attributes: {},
      registered: { cpu: 4096, memory: 4096 },
      remaining: { cpu: 4096, memory: 4096, eni },
      runningTasksCount: 0,
    });
    const random = () => 0.5;
    const r = place({ count: 3, task: requirementsFromNeeds(needs) }, [inst(2)], random);
    assert.deepEqual(r.placements.map((p) => p.instanceArn), ["i1", "i1"]);
    assert.deepEqual(r.failures.map((f) => [f.arn, f.reason]), [["i1", "RESOURCE:ENI"]]);
    // Bridge tasks do not use ENIs.
    const bridge = taskNeeds({ containerDefinitions: [{ name: "a", memory: 64 }] });
    assert.deepEqual(place({ count: 1, task: requirementsFromNeeds(bridge) }, [inst(0)], random).placements.map((p) => p.instanceArn), ["i1"]);
  });

  it("networkConfiguration is checked as ECS checks it", () => {
    const awsvpc = { networkMode: "awsvpc" } as never;
    const bridge = { networkMode: "bridge" } as never;
    const msg = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    assert.equal(msg(() => validateTaskNetwork(awsvpc, undefined, "EC2")), "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    assert.equal(
      msg(() => validateTaskNetwork(bridge, { awsvpcConfiguration: { subnets: ["subnet-1"] } }, "EC2")),
      "Network Configuration is not valid for the given networkMode of this task definition.",
    );
    assert.equal(validateTaskNetwork(bridge, undefined, "EC2"), undefined);
    assert.equal(msg(() => validateTaskNetwork(awsvpc, { awsvpcConfiguration: { subnets: [] } }, "EC2")), "subnets can not be empty.");
    const many = Array.from({ length: 17 }, (_, i) => `subnet-${i}`);
    assert.equal(msg(() => validateTaskNetwork(awsvpc, { awsvpcConfiguration: { subnets: many } }, "EC2")), "subnets can have at most 16 items.");
    assert.match(msg(() => validateTaskNetwork(awsvpc, { awsvpcConfiguration: { subnets: ["net-1"] } }, "EC2")), /InvalidSubnetID\.Malformed/);
    const sgs = Array.from({ length: 6 }, (_, i) => `sg-${i}`);
    assert.equal(
      msg(() => validateTaskNetwork(awsvpc, { awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: sgs } }, "EC2")),
      "securityGroups can have at most 5 items.",
    );
    assert.equal(
      msg(() => validateTaskNetwork(awsvpc, { awsvpcConfiguration: { subnets: ["subnet-1"], assignPublicIp: "ENABLED" } }, "EC2")),
      "Assign public IP is not supported for this launch type.",
    );
    assert.deepEqual(validateTaskNetwork(awsvpc, { awsvpcConfiguration: { subnets: ["subnet-1", "subnet-1"] } }, "EC2"), {
      subnets: ["subnet-1"],
      securityGroups: [],
      assignPublicIp: "DISABLED",
    });
  });

  it("the attachment moves PRECREATED → ATTACHED → DELETED with the task", () => {
    const t0 = withTaskEni(TASK, ENI);
    const status = (t: typeof t0) => (t.attachments[0] as { status: string }).status;
    assert.equal(status(t0), "PRECREATED");
    assert.deepEqual(t0.containers[0]!.networkInterfaces, [{ attachmentId: "att-1", privateIpv4Address: "10.213.7.4" }]);
    assert.equal(withEniStatus(t0), t0, "unchanged while PROVISIONING");
    assert.equal(status(withEniStatus({ ...t0, lastStatus: "PENDING" })), "ATTACHED");
    assert.equal(status(withEniStatus({ ...t0, lastStatus: "DEPROVISIONING" })), "ATTACHED");
    assert.equal(status(withEniStatus({ ...t0, lastStatus: "STOPPED" })), "DELETED");
  });
});
