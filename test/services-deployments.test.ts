import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  type Cluster,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import type { TimelineAnswer } from "../src/contracts/internal-routes.js";
import { SLEEPER, serviceWorld, stableAt, until, type ServiceWorld } from "./helpers/service-world.js";

/** `node bin/wharf.js deployments …` against the test server; resolves exit code and output. */
function wharf(w: ServiceWorld, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["bin/wharf.js", "deployments", "--endpoint", w.h.server.url, "--cluster", w.cluster, ...args], {
      env: w.h.awsEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A rolling deployment on a real agent: the cluster's counts stay exact all through it, the
 * service deployments answer as ECS's do (SDK and aws CLI), and the deployment's timeline is
 * recorded and shown by `wharf deployments`.
 */
describe("rolling deployment: cluster counts, service deployments, timeline (real Docker)", () => {
  let w: ServiceWorld;
  let rev1: string;
  let rev2: string;
  let counted = 0;
  before(async () => {
    w = await serviceWorld({ serviceParams: { healthyAfterMs: 1_000 } });
    await w.agent();
    rev1 = await w.register("dep-web", SLEEPER);
    rev2 = await w.register("dep-web", SLEEPER, { environment: [{ name: "REV", value: "2" }] });
  });
  after(async () => w?.close());

  const counts = async (): Promise<Cluster> => (await w.h.ecs.send(new DescribeClustersCommand({ clusters: [w.cluster] }))).clusters![0]!;

  /**
   * DescribeClusters' counts against the tasks themselves. Both are read through the API, so a
   * task may change between the reads: a check counts only when the cluster's counts were the
   * same before and after the task listing; up to 10 tries for one such quiet window.
   */
  async function assertCountsExact(services: number): Promise<void> {
    let last = "";
    for (let attempt = 0; attempt < 10; attempt++) {
      const c1 = await counts();
      const tasks = await w.tasks();
      const c2 = await counts();
      const key = (c: Cluster) => `${c.runningTasksCount}/${c.pendingTasksCount}`;
      if (key(c1) !== key(c2)) continue;
      const running = tasks.filter((t) => t.lastStatus === "RUNNING").length;
      const pending = tasks.filter((t) => ["PROVISIONING", "PENDING", "ACTIVATING"].includes(t.lastStatus ?? "")).length;
      last = `cluster says ${key(c1)} running/pending, tasks say ${running}/${pending}`;
      if (running === c1.runningTasksCount && pending === c1.pendingTasksCount) {
        assert.equal(c1.activeServicesCount, services);
        counted++;
        return;
      }
    }
    assert.fail(`cluster counts never matched the tasks: ${last}`);
  }

  it("keeps runningTasksCount, pendingTasksCount and activeServicesCount exact through a rollout", async () => {
    const { h, cluster } = w;
    await h.ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: "web",
        taskDefinition: rev1,
        desiredCount: 4,
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
      }),
    );
    await h.ecs.send(new RunTaskCommand({ cluster, taskDefinition: rev1 })); // a standalone task counts too
    await until("web stable", async () => stableAt(await w.service("web"), 4));
    await assertCountsExact(1);
    assert.equal((await counts()).runningTasksCount, 5);

    await h.ecs.send(new UpdateServiceCommand({ cluster, service: "web", taskDefinition: rev2 }));
    let sawBoth = false;
    await until("rollout to rev 2", async () => {
      await assertCountsExact(1);
      const c = await counts();
      // min 50 / max 200 of 4, plus the standalone task.
      assert.ok(c.runningTasksCount! + c.pendingTasksCount! <= 9, `${c.runningTasksCount} running + ${c.pendingTasksCount} pending`);
      const s = await w.service("web");
      if (s.deployments?.length === 2) sawBoth = true;
      return stableAt(s, 4) && s.deployments![0]!.taskDefinition === rev2 ? s : undefined;
    });
    assert.ok(sawBoth, "the rollout was observed in flight");
    assert.ok(counted >= 3);
    await assertCountsExact(1);
    const end = await counts();
    assert.equal(end.runningTasksCount, 5);
    assert.equal(end.pendingTasksCount, 0);
    assert.equal(end.activeServicesCount, 1);
  });

  it("answers ListServiceDeployments / DescribeServiceDeployments with ECS's shape", async () => {
    const { h, cluster } = w;
    const list = (await h.ecs.send(new ListServiceDeploymentsCommand({ cluster, service: "web" }))).serviceDeployments!;
    assert.deepEqual(list.map((d) => d.status), ["SUCCESSFUL", "SUCCESSFUL"], "newest first");
    assert.ok(list[0]!.createdAt! >= list[1]!.createdAt!);
    const [sd] = (await h.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [list[0]!.serviceDeploymentArn!] }))).serviceDeployments!;
    assert.ok(sd);
    assert.equal(sd.status, "SUCCESSFUL");
    assert.ok(sd.startedAt! <= sd.finishedAt!, "started before finished");
    assert.ok(sd.createdAt! <= sd.startedAt!);
    assert.deepEqual(sd.targetServiceRevision && { ...sd.targetServiceRevision, arn: undefined }, {
      arn: undefined,
      requestedTaskCount: 4,
      runningTaskCount: 4,
      pendingTaskCount: 0,
    });
    assert.equal(sd.sourceServiceRevisions?.length, 1);
    assert.equal(sd.sourceServiceRevisions![0]!.arn, list[1]!.targetServiceRevisionArn, "the source is the previous deployment's revision");
    assert.deepEqual(
      [sd.sourceServiceRevisions![0]!.requestedTaskCount, sd.sourceServiceRevisions![0]!.runningTaskCount, sd.sourceServiceRevisions![0]!.pendingTaskCount],
      [0, 0, 0],
      "the old revision was scaled to nothing",
    );
    // CLEAN_UP once every new task runs while old ones remain; SCALE_UP if the old ones were all
    // gone first (a slow start). Which one depends on timing; the unit tests pin the rule.
    assert.ok(["SCALE_UP", "CLEAN_UP"].includes(sd.lifecycleStage ?? ""), `lifecycleStage ${sd.lifecycleStage}`);
    assert.deepEqual(sd.deploymentCircuitBreaker, { status: "DISABLED", failureCount: 0, threshold: 3 });
    assert.deepEqual(sd.alarms, { status: "DISABLED" });
    assert.equal(sd.deploymentConfiguration?.minimumHealthyPercent, 50);

    // The aws CLI reads the same.
    const cli = await h.aws("ecs", "describe-service-deployments", "--service-deployment-arns", list[0]!.serviceDeploymentArn!);
    assert.equal(cli.serviceDeployments[0].status, "SUCCESSFUL");
    assert.equal(cli.serviceDeployments[0].targetServiceRevision.runningTaskCount, 4);
    const listed = await h.aws("ecs", "list-service-deployments", "--cluster", cluster, "--service", "web", "--status", "SUCCESSFUL");
    assert.equal(listed.serviceDeployments.length, 2);
  });

  it("records the rollout's timeline and `wharf deployments` shows it with the phase that cost most", async () => {
    const list = (await w.h.ecs.send(new ListServiceDeploymentsCommand({ cluster: w.cluster, service: "web" }))).serviceDeployments!;
    const id = list[0]!.serviceDeploymentArn!.split("/").pop()!;
    const json = await wharf(w, ["--service", "web", id, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const a = JSON.parse(json.stdout) as TimelineAnswer;
    assert.equal(a.taskDefinition, rev2);
    const tl = a.timeline!;
    assert.equal(tl.tasks.length, 4, "the four tasks it launched");
    for (const t of tl.tasks) {
      assert.ok(t.requestedAt! <= t.createdAt + 50, "asked for, then placed");
      assert.ok(t.createdAt <= t.pullStartedAt! && t.pullStartedAt! <= t.pullStoppedAt! && t.pullStoppedAt! <= t.startedAt!, JSON.stringify(t));
      assert.equal(t.healthBy, "HEALTHY_AFTER");
      assert.equal(t.healthyAt! - t.startedAt!, 1_000, "healthy 1 s after RUNNING (the server's healthy-after)");
      assert.equal(t.stoppedAt, undefined);
    }
    assert.equal(tl.stopped.length, 4, "the old deployment's four tasks");
    const oldId = `ecs-svc/${list[1]!.serviceDeploymentArn!.split("/").pop()}`;
    for (const s of tl.stopped) {
      assert.equal(s.deploymentId, oldId);
      assert.equal(s.cause, "replaced");
      assert.ok(s.stoppedAt! >= s.stopRequestedAt);
    }
    const phases = Object.fromEntries(a.summary.phases.map((p) => [p.phase, p]));
    assert.deepEqual(Object.keys(phases), ["placement", "pull", "start", "health", "draining"]);
    assert.ok(phases.health!.wallMs >= 1_000 && phases.health!.tasks === 4);
    assert.equal(phases.draining!.tasks, 4);
    const top = [...a.summary.phases].sort((x, y) => y.wallMs - x.wallMs)[0]!;
    assert.equal(a.summary.costliest, top.phase);

    const text = await wharf(w, ["--service", "web", id, "--tasks"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Deployment ecs-svc\/\d+ — SUCCESSFUL/);
    assert.match(text.stdout, new RegExp(`The phase that cost most: ${top.phase === "draining" ? "draining old tasks" : top.phase}, `));
    for (const label of ["placement", "pull", "start", "health", "draining old tasks"]) assert.match(text.stdout, new RegExp(`^${label} `, "m"));
    assert.equal(text.stdout.match(/^[0-9a-f]{32} /gm)?.length, 8, "one line per launched and per stopped task");

    const all = await wharf(w, ["--service", "web"]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout.trim().split("\n").length, 3, all.stdout);
    assert.match(all.stdout, /SUCCESSFUL\s+dep-web:\d+/);
    const missing = await wharf(w, ["--service", "web", "1234567890123456789"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /has no deployment '1234567890123456789'/);
    const ghostArn = list[0]!.serviceDeploymentArn!.replace(/\d{19}$/, "1234567890123456789");
    const ghost = await wharf(w, ["--service", "web", ghostArn]);
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /ServiceDeploymentNotFoundException/);
  });

  it("counts a deleted service out", async () => {
    await w.h.ecs.send(new DeleteServiceCommand({ cluster: w.cluster, service: "web", force: true }));
    await until("web INACTIVE", async () => ((await w.service("web")).status === "INACTIVE" ? true : undefined));
    const c = await counts();
    assert.equal(c.activeServicesCount, 0);
    await until("only the standalone task left", async () => ((await counts()).runningTasksCount === 1 ? true : undefined), 20_000);
    await assertCountsExact(0);
  });
});
