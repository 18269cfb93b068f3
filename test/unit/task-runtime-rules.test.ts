import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerBinds, containerVolumesFrom, planVolumes } from "../../src/agent/volumes/plan.js";
import { type DependencyState, evaluateDependencies, shutdownWaves } from "../../src/agent/task-engine/dependencies.js";
import { taskHealthStatus } from "../../src/core/task-health.js";
import { validateRegisterInput } from "../../src/core/task-definition/index.js";
import { AwsError } from "../../src/core/errors.js";

/** The pure rules behind volumes, health and dependsOn. */
describe("dependsOn resolution", () => {
  const states = (o: Record<string, DependencyState>) => new Map(Object.entries(o));
  const dep = (containerName: string, condition: string) => [{ containerName, condition }];

  it("resolves each condition only when it holds", () => {
    const running: DependencyState = { status: "RUNNING", startedAtMs: 1 };
    assert.equal(evaluateDependencies("t", dep("d", "START"), states({ d: running }), 2).kind, "ready");
    assert.equal(evaluateDependencies("t", dep("d", "START"), states({ d: { status: "CREATED" } }), 2).kind, "wait");
    assert.equal(evaluateDependencies("t", dep("d", "START"), states({ d: { status: "STOPPED", exitCode: 1, startedAtMs: 1 } }), 2).kind, "ready");
    assert.equal(evaluateDependencies("t", dep("d", "COMPLETE"), states({ d: running }), 2).kind, "wait");
    assert.equal(evaluateDependencies("t", dep("d", "COMPLETE"), states({ d: { status: "STOPPED", exitCode: 5, startedAtMs: 1 } }), 2).kind, "ready");
    assert.equal(evaluateDependencies("t", dep("d", "SUCCESS"), states({ d: { status: "STOPPED", exitCode: 0, startedAtMs: 1 } }), 2).kind, "ready");
    assert.equal(evaluateDependencies("t", dep("d", "HEALTHY"), states({ d: { ...running, health: "UNKNOWN" } }), 2).kind, "wait");
    assert.equal(evaluateDependencies("t", dep("d", "HEALTHY"), states({ d: { ...running, health: "HEALTHY" } }), 2).kind, "ready");
  });

  it("fails conditions that can never hold, with the agent's wording", () => {
    const fail = (cond: string, s: DependencyState) => {
      const v = evaluateDependencies("web", dep("db", cond), states({ db: s }), 10);
      assert.equal(v.kind, "fail");
      return (v as { reason: string }).reason;
    };
    assert.match(fail("SUCCESS", { status: "STOPPED", exitCode: 2, startedAtMs: 1 }), /\[db\] for target \[web\] as dependency did not exit successfully\.$/);
    assert.match(fail("START", { status: "STOPPED" }), /because dependency will never start$/);
    assert.match(fail("HEALTHY", { status: "STOPPED", exitCode: 0, startedAtMs: 1 }), /exited before it became healthy/);
    assert.match(fail("HEALTHY", { status: "RUNNING", startedAtMs: 1, health: "UNHEALTHY" }), /is unhealthy/);
    assert.match(fail("COMPLETE", { status: "RUNNING", startedAtMs: 0, startTimeoutSec: 0.005 }), /has timed out\.$/);
  });

  it("waits until the earliest startTimeout deadline", () => {
    const v = evaluateDependencies(
      "t",
      [...dep("a", "HEALTHY"), ...dep("b", "COMPLETE"), ...dep("c", "START")],
      states({
        a: { status: "RUNNING", startedAtMs: 1000, startTimeoutSec: 5, health: "UNKNOWN" },
        b: { status: "RUNNING", startedAtMs: 1000, startTimeoutSec: 3 },
        c: { status: "CREATED", startTimeoutSec: 1 },
      }),
      2000,
    );
    assert.deepEqual(v, { kind: "wait", untilMs: 4000 });
  });

  it("stops dependents before their dependencies", () => {
    const plans = [
      { name: "db", dependsOn: [] },
      { name: "app", dependsOn: [{ containerName: "db" }] },
      { name: "proxy", dependsOn: [{ containerName: "app" }] },
      { name: "logs", dependsOn: [] },
    ];
    assert.deepEqual(shutdownWaves(plans).map((w) => w.map((p) => p.name)), [["proxy", "logs"], ["app"], ["db"]]);
  });
});

describe("task health", () => {
  const defs = [
    { name: "app", healthCheck: { command: ["CMD-SHELL", "true"] } },
    { name: "side", essential: false, healthCheck: { command: ["CMD", "true"] } },
    { name: "plain" },
    { name: "off", healthCheck: { command: ["NONE"] } },
  ];
  const health = (o: Record<string, string>) => taskHealthStatus(defs, new Map(Object.entries(o)));
  it("counts only essential containers with a health check, UNHEALTHY > UNKNOWN > HEALTHY", () => {
    assert.equal(health({ app: "HEALTHY", side: "UNHEALTHY", plain: "UNKNOWN", off: "UNKNOWN" }), "HEALTHY");
    assert.equal(health({ app: "UNKNOWN" }), "UNKNOWN");
    assert.equal(health({ app: "UNHEALTHY" }), "UNHEALTHY");
    assert.equal(taskHealthStatus([{ name: "plain" }], new Map()), "UNKNOWN", "no checks at all");
    const two = [defs[0]!, { name: "db", healthCheck: { command: ["CMD-SHELL", "true"] } }];
    assert.equal(taskHealthStatus(two, new Map([["app", "UNKNOWN"], ["db", "UNHEALTHY"]])), "UNHEALTHY");
    assert.equal(taskHealthStatus(two, new Map([["app", "HEALTHY"], ["db", "UNKNOWN"]])), "UNKNOWN");
  });
});

describe("volume planning and validation", () => {
  it("maps each volume kind to its host source, and mountPoints/volumesFrom to Binds/VolumesFrom", () => {
    const plan = planVolumes({
      family: "web",
      revision: 3,
      efsRoot: "/var/wharf/efs",
      randomHex: () => "ab",
      volumes: [
        { name: "bind", host: { sourcePath: "/srv/data" } },
        { name: "scratch", host: {} },
        { name: "shared", dockerVolumeConfiguration: { scope: "shared", autoprovision: true, driver: "local" } },
        { name: "efs", efsVolumeConfiguration: { fileSystemId: "fs-1", rootDirectory: "/a/../b" } },
        { name: "escape", efsVolumeConfiguration: { fileSystemId: "fs-1", rootDirectory: "../../etc" } },
      ],
    });
    assert.deepEqual(plan[0], { name: "bind", kind: "bind", hostPath: "/srv/data" });
    assert.equal(plan[1]!.kind === "docker" && plan[1]!.dockerName, "ecs-web-3-scratch-ab");
    assert.equal(plan[2]!.kind === "docker" && plan[2]!.dockerName, "shared");
    assert.deepEqual(plan[3], { name: "efs", kind: "efs", hostPath: "/var/wharf/efs/fs-1/b", fileSystemId: "fs-1" });
    assert.equal(plan[4]!.kind, "efs", "normalised inside the file system");
    assert.equal((plan[4] as { hostPath: string }).hostPath, "/var/wharf/efs/fs-1/etc");
    const def = {
      mountPoints: [
        { sourceVolume: "bind", containerPath: "/data", readOnly: true },
        { sourceVolume: "scratch", containerPath: "/tmp/s" },
      ],
      volumesFrom: [{ sourceContainer: "init", readOnly: true }],
    };
    assert.deepEqual(containerBinds(def, plan), ["/srv/data:/data:ro", "ecs-web-3-scratch-ab:/tmp/s"]);
    assert.deepEqual(containerVolumesFrom(def, new Map([["init", "ecs-web-3-init-cd"]])), ["ecs-web-3-init-cd:ro"]);
    assert.equal(planVolumes({ family: "f", revision: 1, randomHex: () => "x", volumes: [{ name: "e", efsVolumeConfiguration: { fileSystemId: "fs-1" } }] })[0]!.kind, "unsupported");
  });

  it("refuses what ECS refuses at registration", () => {
    const base = { family: "f", containerDefinitions: [{ name: "app", image: "x", memory: 16 }] };
    const refused = (volumes: unknown[], message: RegExp) => {
      assert.throws(() => validateRegisterInput({ ...base, volumes } as never), (e: unknown) => e instanceof AwsError && e.code === "ClientException" && message.test(e.message));
    };
    refused([{ name: "v", dockerVolumeConfiguration: { autoprovision: false } }], /^When 'scope' parameter is 'task'/);
    refused([{ name: "v", host: { sourcePath: "" } }], /^host\.sourcePath should not be blank\.$/);
    refused([{ name: "v", host: {}, efsVolumeConfiguration: { fileSystemId: "fs-1" } }], /only one of host, efsVolumeConfiguration/);
    refused([{ name: "v", efsVolumeConfiguration: { fileSystemId: "fs-1", authorizationConfig: { iam: "ENABLED" } } }], /transitEncryption must be ENABLED/);
    refused(
      [{ name: "v", efsVolumeConfiguration: { fileSystemId: "fs-1", rootDirectory: "/x", transitEncryption: "ENABLED", authorizationConfig: { accessPointId: "fsap-1" } } }],
      /rootDirectory must be omitted or set to '\/'/,
    );
    validateRegisterInput({ ...base, volumes: [{ name: "v", dockerVolumeConfiguration: { scope: "shared", autoprovision: false } }, { name: "w", host: {} }] } as never);
  });
});
