import type { ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildTaskDefinition,
  parseTaskCpu,
  parseTaskMemory,
  validateRegisterInput,
} from "../../src/core/task-definition/index.js";
import { ecsModel } from "../../src/api/ecs/model.generated.js";
import { validateInput } from "../../src/edge/shape-model.js";

/** A valid EC2 bridge definition each test bends one way. */
const base = (over: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest => ({
  family: "web",
  containerDefinitions: [{ name: "app", image: "nginx:alpine", memory: 128 }],
  ...over,
});
const withContainers = (containers: ContainerDefinition[], over: Partial<RegisterTaskDefinitionRequest> = {}) =>
  base({ containerDefinitions: containers, ...over });
const fargate = (cpu: string, memory: string, over: Partial<RegisterTaskDefinitionRequest> = {}) =>
  base({ requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu, memory, ...over });

function refuses(input: RegisterTaskDefinitionRequest, code: string, message: RegExp): void {
  assert.throws(() => validateRegisterInput(input), (e: Error) => {
    assert.equal(e.name, code, `expected ${code}, got ${e.name}: ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}
/** Refused before the operation runs, by the edge's check against ECS's model, with AWS's text. */
function refusedByModel(input: RegisterTaskDefinitionRequest, violation: string): void {
  assert.throws(
    () => validateInput(ecsModel, "RegisterTaskDefinition", input as unknown as Record<string, unknown>),
    (e: Error) => e.name === "InvalidParameterException" && e.message === `1 validation error detected: ${violation}`,
  );
}
const accepts = (input: RegisterTaskDefinitionRequest) => validateRegisterInput(input);
const build = (input: RegisterTaskDefinitionRequest) =>
  buildTaskDefinition(input, validateRegisterInput(input), {
    taskDefinitionArn: `arn:aws:ecs:us-east-1:000000000000:task-definition/${input.family}:1`,
    revision: 1,
    registeredAt: 1700000000.5,
    registeredBy: "arn:aws:iam::000000000000:root",
  });

describe("family", () => {
  it("accepts letters, numbers, hyphens and underscores up to 255", () => {
    accepts(base({ family: "My_family-2" }));
    accepts(base({ family: "f".repeat(255) }));
  });
  it("refuses blank, too long and invalid characters, naming Family", () => {
    refuses(base({ family: "" }), "ClientException", /^Family can not be blank\.$/);
    refuses(base({ family: "f".repeat(256) }), "ClientException", /^Family cannot be longer than 255/);
    refuses(base({ family: "my.family" }), "ClientException", /^Family contains invalid characters: 'my\.family'/);
    refuses(base({ family: "a b" }), "ClientException", /Family contains invalid characters/);
  });
});

describe("containers", () => {
  it("requires 1 to 10 container definitions", () => {
    refuses(withContainers([]), "ClientException", /^Container list cannot be empty\.$/);
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: "busybox", memory: 16 }));
    accepts(withContainers(many(10)));
    refuses(withContainers(many(11)), "ClientException", /Too many containers.*at most 10 containerDefinitions/);
  });
  it("checks container names and images", () => {
    accepts(withContainers([{ name: "a-b_C9", image: "busybox", memory: 16 }]));
    refuses(withContainers([{ image: "busybox", memory: 16 }]), "ClientException", /^Container\.name should not be null or empty\.$/);
    refuses(withContainers([{ name: "bad name", image: "busybox", memory: 16 }]), "ClientException", /^Container\.name contains invalid characters: 'bad name'/);
    refuses(withContainers([{ name: "x".repeat(256), image: "busybox", memory: 16 }]), "ClientException", /Container\.name cannot be longer than 255/);
    refuses(withContainers([{ name: "app", memory: 16 }]), "ClientException", /Container\.image should not be null or empty/);
  });
  it("requires unique container names", () => {
    refuses(
      withContainers([{ name: "app", image: "a", memory: 16 }, { name: "app", image: "b", memory: 16 }]),
      "ClientException",
      /Container names must be unique.*'app'/,
    );
  });
  it("requires an essential container; essential defaults to true", () => {
    accepts(withContainers([{ name: "a", image: "x", memory: 16, essential: false }, { name: "b", image: "x", memory: 16 }]));
    refuses(
      withContainers([{ name: "a", image: "x", memory: 16, essential: false }]),
      "ClientException",
      /doesn't have any essential container.*'essential'/,
    );
    assert.equal(build(base()).containerDefinitions[0]!.essential, true);
  });
});

describe("networkMode", () => {
  it("accepts the four modes and refuses others, naming the field and the valid values", () => {
    for (const m of ["bridge", "host", "awsvpc", "none"]) accepts(base({ networkMode: m as "bridge" }));
    // Other values never reach this code: the edge refuses them against the model's enum.
    refusedByModel(base({ networkMode: "Host" as "host" }), "Value 'Host' at 'networkMode' failed to satisfy constraint: Member must satisfy enum value set: [bridge, host, awsvpc, none]");
  });
  it("leaves networkMode absent when not given, as ECS does", () => {
    assert.equal(build(base()).networkMode, undefined);
    assert.equal(build(base({ networkMode: "host" })).networkMode, "host");
  });
});

describe("Fargate", () => {
  it("needs awsvpc, task cpu and task memory", () => {
    refuses(fargate("256", "512", { networkMode: "bridge" }), "ClientException", /^Fargate only supports network mode ‘awsvpc’\.$/);
    refuses(fargate("256", "512", { networkMode: undefined }), "ClientException", /network mode ‘awsvpc’/);
    refuses(fargate("256", "512", { cpu: undefined }), "ClientException", /^Fargate requires that 'cpu' be defined at the task level\.$/);
    refuses(fargate("256", "512", { memory: undefined }), "ClientException", /'memory' be defined at the task level/);
  });
  it("accepts exactly the CPU/memory table", () => {
    const ok: [string, string][] = [
      ["256", "512"], ["256", "1024"], ["256", "2048"], ["512", "1024"], ["512", "4096"], ["1024", "2048"],
      ["1024", "8192"], ["2048", "4096"], ["2048", "16384"], ["4096", "8192"], ["4096", "30720"],
      ["8192", "16384"], ["8192", "20480"], ["8192", "61440"], ["16384", "32768"], ["16384", "122880"],
    ];
    for (const [c, m] of ok) accepts(fargate(c, m));
    const bad: [string, string][] = [
      ["256", "3072"], ["512", "512"], ["1024", "1024"], ["1024", "9216"], ["2048", "17408"], ["4096", "31744"],
      ["8192", "18432"], ["16384", "36864"], ["128", "512"], ["3072", "8192"],
    ];
    for (const [c, m] of bad) {
      refuses(fargate(c, m), "ClientException", new RegExp(`No Fargate configuration exists for given values: ${c} CPU, ${m} memory`));
    }
  });
  it("normalises vCPU and GB forms to units and MiB", () => {
    assert.equal(parseTaskCpu("1 vCPU"), 1024);
    assert.equal(parseTaskCpu(".25 vcpu"), undefined);
    assert.equal(parseTaskCpu("0.25 vcpu"), 256);
    assert.equal(parseTaskMemory("2 GB"), 2048);
    assert.equal(parseTaskMemory("0.5GB"), 512);
    const doc = build(fargate("1 vCPU", "2 GB"));
    assert.equal(doc.cpu, "1024");
    assert.equal(doc.memory, "2048");
    refuses(base({ cpu: "lots" }), "InvalidParameterException", /Invalid 'cpu' setting for task: 'lots'/);
    refuses(base({ memory: "1 TB" }), "InvalidParameterException", /Invalid 'memory' setting for task: '1 TB'/);
  });
  it("lists FARGATE in compatibilities when requested, or when nothing is requested and it fits", () => {
    assert.deepEqual(build(fargate("256", "512")).compatibilities, ["EC2", "FARGATE"]);
    assert.deepEqual(build(base({ networkMode: "awsvpc", cpu: "256", memory: "512" })).compatibilities, ["EC2", "FARGATE"]);
    assert.deepEqual(build(base({ networkMode: "awsvpc", cpu: "512", memory: "717" })).compatibilities, ["EC2"]);
    assert.deepEqual(
      build(base({ networkMode: "awsvpc", cpu: "256", memory: "512", requiresCompatibilities: ["EC2"] })).compatibilities,
      ["EC2"],
    );
    assert.deepEqual(build(base()).compatibilities, ["EC2"]);
    assert.deepEqual(build(base({ requiresCompatibilities: ["EXTERNAL"] })).compatibilities, ["EC2", "EXTERNAL"]);
    refuses(base({ requiresCompatibilities: ["EXTERNAL"], networkMode: "awsvpc" }), "ClientException", /EXTERNAL.*awsvpc/);
  });
});

describe("memory", () => {
  it("needs task memory or memory/memoryReservation on every container", () => {
    refuses(
      withContainers([{ name: "app", image: "x" }]),
      "ClientException",
      /^Invalid setting for container 'app'\. At least one of 'memory' or 'memoryReservation' must be specified\.$/,
    );
    accepts(withContainers([{ name: "app", image: "x", memoryReservation: 64 }]));
    accepts(withContainers([{ name: "app", image: "x" }], { memory: "512" }));
  });
  it("requires memoryReservation <= memory", () => {
    accepts(withContainers([{ name: "app", image: "x", memory: 128, memoryReservation: 128 }]));
    refuses(
      withContainers([{ name: "app", image: "x", memory: 128, memoryReservation: 256 }]),
      "ClientException",
      /Invalid 'memoryReservation' setting for container 'app'/,
    );
  });
  it("keeps container totals within the task size", () => {
    refuses(
      withContainers([{ name: "a", image: "x", cpu: 200 }, { name: "b", image: "x", cpu: 100 }], { cpu: "256", memory: "512" }),
      "ClientException",
      /sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'/,
    );
    refuses(
      withContainers([{ name: "a", image: "x", memoryReservation: 400 }, { name: "b", image: "x", memoryReservation: 200 }], { memory: "512" }),
      "ClientException",
      /sum of all container 'memoryReservation' values/,
    );
  });
});

describe("portMappings", () => {
  const ports = (pm: ContainerDefinition["portMappings"], networkMode?: "bridge" | "host" | "awsvpc" | "none") =>
    withContainers([{ name: "web", image: "nginx", memory: 64, portMappings: pm }], networkMode ? { networkMode } : {});
  it("checks containerPort and hostPort ranges and the protocol", () => {
    accepts(ports([{ containerPort: 1 }, { containerPort: 65535, hostPort: 0 }]));
    refuses(ports([{ containerPort: 0 }]), "ClientException", /^Invalid 'containerPort' setting for container 'web'\.$/);
    refuses(ports([{ containerPort: 65536 }]), "ClientException", /Invalid 'containerPort' setting/);
    refuses(ports([{ hostPort: 80 }]), "ClientException", /Invalid 'containerPort' setting/);
    refuses(ports([{ containerPort: 80, hostPort: 70000 }]), "ClientException", /Invalid 'hostPort' setting/);
    refusedByModel(
      ports([{ containerPort: 80, protocol: "sctp" as "tcp" }]),
      "Value 'sctp' at 'containerDefinitions.1.member.portMappings.1.member.protocol' failed to satisfy constraint: Member must satisfy enum value set: [tcp, udp]",
    );
  });
  it("refuses the same containerPort/protocol twice, but allows tcp and udp on one port", () => {
    accepts(ports([{ containerPort: 53, protocol: "tcp" }, { containerPort: 53, protocol: "udp" }]));
    refuses(ports([{ containerPort: 80 }, { containerPort: 80, protocol: "tcp", hostPort: 8080 }]), "ClientException", /80\/tcp is mapped more than once/);
  });
  it("refuses a host port used twice in one task", () => {
    refuses(
      withContainers([
        { name: "a", image: "x", memory: 16, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
        { name: "b", image: "x", memory: 16, portMappings: [{ containerPort: 81, hostPort: 8080 }] },
      ]),
      "ClientException",
      /^TCP host port '8080' is mapped multiple times in task\.$/,
    );
  });
  it("in awsvpc and host modes needs hostPort absent or equal, and fills it in", () => {
    for (const mode of ["awsvpc", "host"] as const) {
      accepts(ports([{ containerPort: 80, hostPort: 80 }], mode));
      refuses(ports([{ containerPort: 80, hostPort: 8080 }], mode), "ClientException", new RegExp(`^When networkMode=${mode}, the host ports and container ports in port mappings must match\\.$`));
      const doc = build(ports([{ containerPort: 80 }], mode));
      assert.deepEqual(doc.containerDefinitions[0]!.portMappings, [{ containerPort: 80, hostPort: 80, protocol: "tcp" }]);
    }
    // bridge keeps a dynamic mapping dynamic
    assert.deepEqual(build(ports([{ containerPort: 80 }], "bridge")).containerDefinitions[0]!.portMappings, [{ containerPort: 80, protocol: "tcp" }]);
  });
  it("refuses port mappings in none mode", () => {
    refuses(ports([{ containerPort: 80 }], "none"), "ClientException", /not supported when networkMode=none/);
  });
});

describe("links", () => {
  const linked = (networkMode?: "bridge" | "awsvpc" | "host") =>
    withContainers(
      [
        { name: "web", image: "x", memory: 16, links: ["db:database"] },
        { name: "db", image: "y", memory: 16 },
      ],
      networkMode ? { networkMode } : {},
    );
  it("are allowed only in bridge mode (the default)", () => {
    accepts(linked());
    accepts(linked("bridge"));
    refuses(linked("awsvpc"), "ClientException", /^Links are not supported when networkMode=awsvpc\.$/);
    refuses(linked("host"), "ClientException", /networkMode=host/);
  });
  it("must name another container", () => {
    refuses(withContainers([{ name: "web", image: "x", memory: 16, links: ["nobody"] }]), "ClientException", /Invalid 'links' setting for container 'web'.*'nobody'/);
  });
});

describe("healthCheck", () => {
  const hc = (h: ContainerDefinition["healthCheck"]) => withContainers([{ name: "app", image: "x", memory: 16, healthCheck: h }]);
  const cmd = ["CMD-SHELL", "curl -f localhost"];
  it("accepts the documented ranges and fills ECS's defaults", () => {
    accepts(hc({ command: cmd, interval: 5, timeout: 2, retries: 1, startPeriod: 0 }));
    accepts(hc({ command: cmd, interval: 300, timeout: 60, retries: 10, startPeriod: 300 }));
    accepts(hc({ command: ["CMD", "true"] }));
    accepts(hc({ command: ["NONE"] }));
    const doc = build(hc({ command: cmd }));
    assert.deepEqual(doc.containerDefinitions[0]!.healthCheck, { command: cmd, interval: 30, timeout: 5, retries: 3 });
  });
  it("refuses values outside the ranges, naming the field", () => {
    refuses(hc({ command: cmd, interval: 4 }), "ClientException", /Invalid 'healthCheck\.interval' setting for container 'app'\. Valid values are 5-300 seconds/);
    refuses(hc({ command: cmd, interval: 301 }), "ClientException", /healthCheck\.interval/);
    refuses(hc({ command: cmd, timeout: 1 }), "ClientException", /healthCheck\.timeout.*2-60/);
    refuses(hc({ command: cmd, timeout: 61 }), "ClientException", /healthCheck\.timeout/);
    refuses(hc({ command: cmd, retries: 0 }), "ClientException", /healthCheck\.retries.*1-10/);
    refuses(hc({ command: cmd, retries: 11 }), "ClientException", /healthCheck\.retries/);
    refuses(hc({ command: cmd, startPeriod: 301 }), "ClientException", /healthCheck\.startPeriod.*0-300/);
  });
  it("needs a command starting with CMD, CMD-SHELL or NONE", () => {
    refuses(hc({ command: [] }), "ClientException", /healthCheck\.command.*CMD, CMD-SHELL or NONE/);
    refuses(hc({ command: ["curl -f localhost"] }), "ClientException", /healthCheck\.command/);
    refuses(hc({ command: ["CMD-SHELL"] }), "ClientException", /CMD-SHELL must be followed/);
  });
});

describe("dependsOn", () => {
  const two = (dep: ContainerDefinition["dependsOn"], other: Partial<ContainerDefinition> = {}) =>
    withContainers([
      { name: "app", image: "x", memory: 16, dependsOn: dep },
      { name: "side", image: "y", memory: 16, ...other },
    ]);
  it("accepts START/COMPLETE/SUCCESS/HEALTHY on other containers", () => {
    accepts(two([{ containerName: "side", condition: "START" }]));
    accepts(two([{ containerName: "side", condition: "COMPLETE" }], { essential: false }));
    accepts(two([{ containerName: "side", condition: "SUCCESS" }], { essential: false }));
    accepts(two([{ containerName: "side", condition: "HEALTHY" }], { healthCheck: { command: ["CMD", "true"] } }));
  });
  it("refuses unknown or self containers, HEALTHY without a healthCheck, and cycles", () => {
    refuses(two([{ containerName: "ghost", condition: "START" }]), "ClientException", /Invalid 'dependsOn' setting for container 'app'.*'ghost'/);
    refuses(two([{ containerName: "app", condition: "START" }]), "ClientException", /'dependsOn'.*'app'/);
    refuses(two([{ containerName: "side", condition: "HEALTHY" }]), "ClientException", /HEALTHY requires container 'side' to have a healthCheck/);
    refuses(two([{ containerName: "side", condition: "SUCCESS" }]), "ClientException", /SUCCESS or COMPLETE condition cannot be an essential container/);
    refuses(
      two([{ containerName: "side", condition: "START" }], { dependsOn: [{ containerName: "app", condition: "START" }] }),
      "ClientException",
      /cycle \(app -> side -> app\)/,
    );
  });
});

describe("volumes and tags", () => {
  it("requires mount points to name defined volumes", () => {
    const c = { name: "app", image: "x", memory: 16, mountPoints: [{ sourceVolume: "data", containerPath: "/data" }] };
    accepts(withContainers([c], { volumes: [{ name: "data" }] }));
    refuses(withContainers([c]), "ClientException", /Invalid 'mountPoints' setting for container 'app'\. sourceVolume 'data'/);
  });
  it("applies the tag rules", () => {
    accepts(base({ tags: [{ key: "team", value: "a" }] }));
    refuses(base({ tags: [{ key: "aws:x", value: "1" }] }), "InvalidParameterException", /reserved/);
    refusedByModel(
      base({ tags: [{ key: "", value: "1" }] }),
      "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });
});

describe("computed fields", () => {
  it("fills container defaults and keeps unknown-but-valid members", () => {
    const doc = build(
      withContainers(
        [{ name: "app", image: "x", memory: 16, dockerLabels: { a: "b" }, linuxParameters: { initProcessEnabled: true } }],
        { runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" }, ephemeralStorage: { sizeInGiB: 30 } },
      ),
    );
    const c = doc.containerDefinitions[0]!;
    assert.equal(c.cpu, 0);
    assert.deepEqual([c.portMappings, c.environment, c.mountPoints, c.volumesFrom], [[], [], [], []]);
    assert.deepEqual(c.dockerLabels, { a: "b" });
    assert.deepEqual(c.linuxParameters, { initProcessEnabled: true });
    assert.deepEqual(doc.runtimePlatform, { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" });
    assert.deepEqual(doc.ephemeralStorage, { sizeInGiB: 30 });
    assert.deepEqual([doc.volumes, doc.placementConstraints], [[], []]);
    assert.equal(doc.status, "ACTIVE");
    assert.equal(doc.registeredAt, 1700000000.5);
    assert.equal("tags" in doc, false);
    assert.equal(doc.requiresCompatibilities, undefined);
  });
  it("derives requiresAttributes from the features used", () => {
    const doc = build({
      family: "dogs",
      networkMode: "awsvpc",
      taskRoleArn: "arn:aws:iam::123456789012:role/task",
      executionRoleArn: "arn:aws:iam::123456789012:role/exec",
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        {
          name: "dogs",
          image: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/dogs",
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-create-group": "true", "awslogs-group": "/ecs/dogs", "awslogs-region": "ap-northeast-2" },
          },
          healthCheck: { command: ["CMD", "true"] },
          dependsOn: [{ containerName: "side", condition: "START" }],
        },
        { name: "side", image: "busybox", essential: false },
      ],
    });
    const names = doc.requiresAttributes!.map((a) => a.name);
    for (const n of [
      "ecs.capability.task-eni",
      "com.amazonaws.ecs.capability.task-iam-role",
      "com.amazonaws.ecs.capability.ecr-auth",
      "ecs.capability.execution-role-ecr-pull",
      "com.amazonaws.ecs.capability.logging-driver.awslogs",
      "ecs.capability.execution-role-awslogs",
      "com.amazonaws.ecs.capability.docker-remote-api.1.18",
      "com.amazonaws.ecs.capability.docker-remote-api.1.19",
      "com.amazonaws.ecs.capability.docker-remote-api.1.29",
      "ecs.capability.container-health-check",
      "ecs.capability.container-ordering",
    ]) {
      assert.ok(names.includes(n), `missing ${n} in ${names.join(", ")}`);
    }
    assert.deepEqual(build(base()).requiresAttributes, []);
  });
});
