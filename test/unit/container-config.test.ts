import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeEnvironment, planTask, WHARF_LABELS } from "../../src/agent/container-config.js";
import { splitImageRef } from "../../src/agent/docker/client.js";
import { startOrder } from "../../src/agent/task-engine/start-order.js";

const base = {
  taskArn: "arn:aws:ecs:us-east-1:000000000000:task/demo/abc",
  clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/demo",
  containerInstanceArn: "arn:aws:ecs:us-east-1:000000000000:container-instance/demo/inst1",
  randomHex: () => "0123456789abcdef0123",
};

describe("container definition → Docker create body", () => {
  it("maps the full set of honoured fields", () => {
    const plan = planTask({
      ...base,
      hostIp: "127.0.0.2",
      containerArns: { web: "arn:aws:ecs:us-east-1:000000000000:container/demo/abc/c1" },
      taskDefinition: {
        family: "shop",
        revision: 7,
        networkMode: "bridge",
        containerDefinitions: [
          {
            name: "web",
            image: "nginx:alpine",
            command: ["httpd", "-f"],
            entryPoint: ["/bin/sh", "-c"],
            environment: [{ name: "A", value: "1" }],
            workingDirectory: "/www",
            user: "nobody",
            cpu: 256,
            memory: 128,
            memoryReservation: 64,
            stopTimeout: 5,
            ulimits: [{ name: "nofile", softLimit: 1024, hardLimit: 2048 }],
            linuxParameters: {
              initProcessEnabled: true,
              capabilities: { add: ["NET_ADMIN"], drop: ["MKNOD"] },
              tmpfs: [{ containerPath: "/scratch", size: 16, mountOptions: ["noexec"] }],
              sharedMemorySize: 32,
            },
            privileged: true,
            readonlyRootFilesystem: true,
            dockerLabels: { team: "a", "com.amazonaws.ecs.cluster": "spoofed" },
            hostname: "web1",
            extraHosts: [{ hostname: "db.local", ipAddress: "10.0.0.5" }],
            dnsServers: ["1.1.1.1"],
            links: ["cache:redis"],
            portMappings: [
              { containerPort: 80, hostPort: 8080, protocol: "tcp" },
              { containerPort: 53, protocol: "udp" },
            ],
            logConfiguration: { logDriver: "json-file", options: { "max-size": "1m" } },
          },
          { name: "cache", image: "wharf-test/busybox", essential: false },
        ],
      },
    });
    assert.equal(plan.networkMode, "bridge");
    const web = plan.containers[0]!;
    assert.equal(web.dockerName, "ecs-shop-7-web-0123456789abcdef0123");
    assert.equal(web.essential, true);
    assert.equal(web.stopTimeoutSec, 5);
    assert.deepEqual(web.linksTo, ["cache"]);
    const b = web.body;
    assert.equal(b.Image, "nginx:alpine");
    assert.deepEqual(b.Cmd, ["httpd", "-f"]);
    assert.deepEqual(b.Entrypoint, ["/bin/sh", "-c"]);
    assert.deepEqual(b.Env, ["A=1"]);
    assert.equal(b.WorkingDir, "/www");
    assert.equal(b.User, "nobody");
    assert.equal(b.Hostname, "web1");
    assert.equal(b.StopTimeout, 5);
    assert.deepEqual(b.ExposedPorts, { "80/tcp": {}, "53/udp": {} });
    assert.deepEqual(b.Labels, {
      team: "a",
      "com.amazonaws.ecs.cluster": "demo",
      "com.amazonaws.ecs.task-arn": base.taskArn,
      "com.amazonaws.ecs.container-name": "web",
      "com.amazonaws.ecs.task-definition-family": "shop",
      "com.amazonaws.ecs.task-definition-version": "7",
      [WHARF_LABELS.instanceArn]: base.containerInstanceArn,
      [WHARF_LABELS.containerArn]: "arn:aws:ecs:us-east-1:000000000000:container/demo/abc/c1",
    });
    const h = b.HostConfig;
    assert.equal(h.NetworkMode, "bridge");
    assert.equal(h.CpuShares, 256);
    assert.equal(h.Memory, 128 * 1024 * 1024);
    assert.equal(h.MemoryReservation, 64 * 1024 * 1024);
    assert.deepEqual(h.Ulimits, [{ Name: "nofile", Soft: 1024, Hard: 2048 }]);
    assert.equal(h.Init, true);
    assert.deepEqual(h.CapAdd, ["NET_ADMIN"]);
    assert.deepEqual(h.CapDrop, ["MKNOD"]);
    assert.deepEqual(h.Tmpfs, { "/scratch": "size=16m,noexec" });
    assert.equal(h.ShmSize, 32 * 1024 * 1024);
    assert.equal(h.Privileged, true);
    assert.equal(h.ReadonlyRootfs, true);
    assert.deepEqual(h.ExtraHosts, ["db.local:10.0.0.5"]);
    assert.deepEqual(h.Dns, ["1.1.1.1"]);
    assert.deepEqual(h.Links, ["ecs-shop-7-cache-0123456789abcdef0123:redis"]);
    assert.deepEqual(h.PortBindings, {
      "80/tcp": [{ HostIp: "127.0.0.2", HostPort: "8080" }],
      "53/udp": [{ HostIp: "127.0.0.2", HostPort: "" }],
    });
    assert.deepEqual(h.LogConfig, { Type: "json-file", Config: { "max-size": "1m" } });
    // The second container: defaults.
    const cache = plan.containers[1]!;
    assert.equal(cache.essential, false);
    assert.equal(cache.stopTimeoutSec, 30);
    assert.equal(cache.body.HostConfig.CpuShares, 2, "0/absent cpu → 2 shares, as the ECS agent does");
    assert.equal(cache.body.HostConfig.Memory, undefined);
    assert.equal(cache.body.Cmd, undefined);
  });

  it("applies containerOverrides by name: command, environment merged, cpu and memory", () => {
    const plan = planTask({
      ...base,
      taskDefinition: {
        family: "f",
        revision: 1,
        containerDefinitions: [
          { name: "app", image: "x", cpu: 1, memory: 64, command: ["a"], environment: [{ name: "K", value: "v" }, { name: "L", value: "1" }] },
        ],
      },
      overrides: {
        containerOverrides: [
          { name: "app", command: ["b", "c"], environment: [{ name: "L", value: "2" }, { name: "M", value: "3" }], cpu: 512, memory: 256, memoryReservation: 100 },
          { name: "other", command: ["zzz"] },
        ],
      },
    });
    const b = plan.containers[0]!.body;
    assert.deepEqual(b.Cmd, ["b", "c"]);
    assert.deepEqual(b.Env, ["K=v", "L=2", "M=3"]);
    assert.equal(b.HostConfig.CpuShares, 512);
    assert.equal(b.HostConfig.Memory, 256 * 1024 * 1024);
    assert.equal(b.HostConfig.MemoryReservation, 100 * 1024 * 1024);
    assert.deepEqual(mergeEnvironment(undefined, [{ name: "X", value: "1" }]), [{ name: "X", value: "1" }]);
  });

  it("network modes: host and none bind nothing; dynamic ports bind every address without --host-ip", () => {
    const td = (networkMode: string) => ({
      family: "n",
      revision: 2,
      networkMode,
      containerDefinitions: [{ name: "c", image: "x", links: ["d"], portMappings: [{ containerPort: 80, hostPort: 0 }] }],
    });
    const host = planTask({ ...base, taskDefinition: td("Host") }).containers[0]!;
    assert.equal(host.body.HostConfig.NetworkMode, "host");
    assert.equal(host.body.HostConfig.PortBindings, undefined);
    assert.equal(host.body.HostConfig.Links, undefined, "links only exist in bridge mode");
    assert.deepEqual(host.portMappings, [{ containerPort: 80, hostPort: 0, protocol: "tcp" }]);
    const none = planTask({ ...base, taskDefinition: td("none") }).containers[0]!;
    assert.equal(none.body.HostConfig.NetworkMode, "none");
    assert.equal(none.body.ExposedPorts, undefined);
    const bridge = planTask({ ...base, taskDefinition: td("bridge") }).containers[0]!;
    assert.deepEqual(bridge.body.HostConfig.PortBindings, { "80/tcp": [{ HostIp: "", HostPort: "" }] });
    assert.equal(planTask({ ...base, taskDefinition: { ...td("awsvpc") } }).networkMode, "awsvpc");
    assert.equal(planTask({ ...base, taskDefinition: { family: "n", containerDefinitions: [] } }).networkMode, "bridge");
  });

  it("falls back to json-file for log drivers the agent does not run yet, and keeps none", () => {
    const mk = (logDriver: string) =>
      planTask({
        ...base,
        taskDefinition: { family: "l", containerDefinitions: [{ name: "c", image: "x", logConfiguration: { logDriver, options: { "awslogs-group": "g" } } }] },
      }).containers[0]!.body;
    const aws = mk("awslogs");
    assert.deepEqual(aws.HostConfig.LogConfig, { Type: "json-file", Config: {} });
    assert.equal(aws.Labels[WHARF_LABELS.logDriverFallback], "awslogs");
    assert.equal(mk("none").HostConfig.LogConfig?.Type, "none");
  });

  it("reuses the Docker names of adopted containers, also in links", () => {
    const plan = planTask({
      ...base,
      dockerNames: { db: "ecs-f-1-db-existing" },
      taskDefinition: { family: "f", containerDefinitions: [{ name: "db", image: "x" }, { name: "app", image: "x", links: ["db"] }] },
    });
    assert.equal(plan.containers[0]!.dockerName, "ecs-f-1-db-existing");
    assert.deepEqual(plan.containers[1]!.body.HostConfig.Links, ["ecs-f-1-db-existing:db"]);
  });

  it("starts dependsOn and links targets first", () => {
    const plan = planTask({
      ...base,
      taskDefinition: {
        family: "o",
        containerDefinitions: [
          { name: "app", image: "x", dependsOn: [{ containerName: "migrate", condition: "SUCCESS" }], links: ["db"] },
          { name: "migrate", image: "x", essential: false, dependsOn: [{ containerName: "db", condition: "START" }] },
          { name: "db", image: "x" },
        ],
      },
    });
    assert.deepEqual(startOrder(plan.containers).map((c) => c.name), ["db", "migrate", "app"]);
  });

  it("splits image references for POST /images/create", () => {
    assert.deepEqual(splitImageRef("nginx"), { name: "nginx", tag: "latest" });
    assert.deepEqual(splitImageRef("nginx:alpine"), { name: "nginx", tag: "alpine" });
    assert.deepEqual(splitImageRef("localhost:5000/a/b"), { name: "localhost:5000/a/b", tag: "latest" });
    assert.deepEqual(splitImageRef("localhost:5000/a/b:1.2"), { name: "localhost:5000/a/b", tag: "1.2" });
    assert.deepEqual(splitImageRef("a/b@sha256:abc"), { name: "a/b", tag: "sha256:abc" });
  });
});
