import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SLEEPER, serviceWorld, stableAt, until, type ServiceWorld } from "./helpers/service-world.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- the aws CLI's JSON answers */

/**
 * Deployment alarms and StopServiceDeployment with the aws CLI against a running Wharf and a real
 * agent on Docker: an alarm forced into ALARM (set-alarm-state) during a rolling deployment fails
 * it and rolls the service back to v1; stop-service-deployment rolls back another deployment.
 */
describe("deployment alarms and StopServiceDeployment (aws CLI, real Docker)", () => {
  let w: ServiceWorld;
  let rev1: string;
  let rev2: string;
  let rev3: string;
  const alarm = `web-errors-${process.pid}`;
  before(async () => {
    w = await serviceWorld({ serviceParams: { healthyAfterMs: 1_000 } });
    await w.agent();
    rev1 = await w.register("alarm-web", SLEEPER);
    rev2 = await w.register("alarm-web", SLEEPER, { environment: [{ name: "REV", value: "2" }] });
    rev3 = await w.register("alarm-web", SLEEPER, { environment: [{ name: "REV", value: "3" }] });
  });
  after(async () => w?.close());

  const aws = (...args: string[]) => w.h.aws(...args);
  const records = async (): Promise<any[]> => (await aws("ecs", "list-service-deployments", "--cluster", w.cluster, "--service", "web")).serviceDeployments;
  const describeSd = async (arn: string): Promise<any> => (await aws("ecs", "describe-service-deployments", "--service-deployment-arns", arn)).serviceDeployments[0];
  const eventTexts = async () => (await w.service("web")).events!.map((e) => e.message!);
  const alarmsCfg = `minimumHealthyPercent=100,maximumPercent=200,alarms={alarmNames=[${alarm}],enable=true,rollback=true}`;

  it("an alarm in ALARM during the deployment fails it and rolls back to v1", async () => {
    const { cluster } = w;
    await aws("ecs", "create-service", "--cluster", cluster, "--service-name", "web", "--task-definition", rev1, "--desired-count", "2");
    await until("web stable on v1", async () => stableAt(await w.service("web"), 2));
    const [v1] = await records();
    // Period 10 × 3 evaluation periods: a 30 s bake time after steady state.
    await aws("cloudwatch", "put-metric-alarm", "--alarm-name", alarm, "--namespace", "Wharf/Test", "--metric-name", "Errors", "--statistic", "Sum",
      "--period", "10", "--evaluation-periods", "3", "--threshold", "1", "--comparison-operator", "GreaterThanOrEqualToThreshold");

    const updated = await aws("ecs", "update-service", "--cluster", cluster, "--service", "web", "--task-definition", rev2, "--deployment-configuration", alarmsCfg);
    assert.deepEqual(updated.service.deploymentConfiguration.alarms, { alarmNames: [alarm], enable: true, rollback: true });
    const v2Id: string = updated.service.deployments[0].id;
    await until("a v2 task running", async () => {
      const d = (await w.service("web")).deployments!.find((x) => x.id === v2Id);
      return d && d.runningCount! > 0 && d.rolloutState === "IN_PROGRESS" ? d : undefined;
    });
    const [v2] = await records();
    assert.equal((await describeSd(v2.serviceDeploymentArn)).alarms.status, "MONITORING");

    await aws("cloudwatch", "set-alarm-state", "--alarm-name", alarm, "--state-value", "ALARM", "--state-reason", "test: errors during the deployment");
    const back = await until("rolled back to v1", async () => {
      const s = await w.service("web");
      return stableAt(s, 2) && s.taskDefinition === rev1 ? s : undefined;
    }, 120_000);
    const v1Id = v1.serviceDeploymentArn.slice(v1.serviceDeploymentArn.lastIndexOf("/") + 1);
    const texts = await eventTexts();
    assert.ok(texts.includes(`(service web) (deployment ${v2Id}) deployment failed: alarm detected (${alarm}).`), texts.join("\n"));
    assert.ok(texts.includes(`(service web) rolling back to deployment ecs-svc/${v1Id}.`), texts.join("\n"));
    assert.equal(back.deployments![0]!.rolloutStateReason, `ECS deployment ${back.deployments![0]!.id} completed.`, "the rollback deployment completed");

    const sd = await until("ROLLBACK_SUCCESSFUL", async () => {
      const d = await describeSd(v2.serviceDeploymentArn);
      return d.status === "ROLLBACK_SUCCESSFUL" ? d : undefined;
    });
    assert.deepEqual(sd.alarms, { status: "TRIGGERED", alarmNames: [alarm], triggeredAlarmNames: [alarm] });
    assert.equal(sd.rollback.serviceRevisionArn, v1.targetServiceRevisionArn);
    assert.equal(sd.rollback.reason, `ECS deployment alarms: rolling back to deploymentId ecs-svc/${v1Id}.`);
    assert.equal(sd.statusReason, `ECS deployment alarms: alarm(s) in ALARM state: ${alarm}.`);
    const tasks = await w.tasks("web");
    assert.equal(tasks.filter((t) => t.lastStatus === "RUNNING" && t.taskDefinitionArn === rev1).length, 2);
    assert.equal(tasks.filter((t) => t.desiredStatus === "RUNNING" && t.taskDefinitionArn === rev2).length, 0, "v2's tasks are stopped");
  });

  it("stop-service-deployment rolls back an in-progress deployment; ECS's errors otherwise", async () => {
    const { cluster } = w;
    await aws("cloudwatch", "set-alarm-state", "--alarm-name", alarm, "--state-value", "OK", "--state-reason", "test: recovered");
    const updated = await aws("ecs", "update-service", "--cluster", cluster, "--service", "web", "--task-definition", rev3);
    const v3Id: string = updated.service.deployments[0].id;
    const v3 = await until("v3 in progress", async () => {
      const r = (await records()).find((x) => x.serviceDeploymentArn.endsWith(`/${v3Id.replace("ecs-svc/", "")}`));
      return r?.status === "IN_PROGRESS" ? r : undefined;
    });
    const out = await aws("ecs", "stop-service-deployment", "--service-deployment-arn", v3.serviceDeploymentArn, "--stop-type", "ROLLBACK");
    assert.equal(out.serviceDeploymentArn, v3.serviceDeploymentArn);
    assert.ok(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCESSFUL"].includes((await describeSd(v3.serviceDeploymentArn)).status));
    // Asking again while it rolls back is not an error.
    await aws("ecs", "stop-service-deployment", "--service-deployment-arn", v3.serviceDeploymentArn);

    await until("rolled back to v1 again", async () => {
      const s = await w.service("web");
      return stableAt(s, 2) && s.taskDefinition === rev1 ? s : undefined;
    }, 120_000);
    assert.ok((await eventTexts()).includes(`(service web) (deployment ${v3Id}) deployment stopped: rollback requested.`));
    const sd = await until("v3 ROLLBACK_SUCCESSFUL", async () => {
      const d = await describeSd(v3.serviceDeploymentArn);
      return d.status === "ROLLBACK_SUCCESSFUL" ? d : undefined;
    });
    assert.equal(sd.alarms.status, "MONITORING_COMPLETE", "its alarms did not trigger");
    assert.match(sd.rollback.reason, /^StopServiceDeployment: rolling back to deploymentId ecs-svc\/\d+\.$/);

    const done = await w.h.awsError("ecs", "stop-service-deployment", "--service-deployment-arn", v3.serviceDeploymentArn);
    assert.equal(done.code, "ConflictException", done.stderr);
    const missing = await w.h.awsError("ecs", "stop-service-deployment", "--service-deployment-arn", v3.serviceDeploymentArn.replace(/\/\d+$/, "/1234567890123456789"));
    assert.equal(missing.code, "ServiceDeploymentNotFoundException", missing.stderr);
    const abort = await w.h.awsError("ecs", "stop-service-deployment", "--service-deployment-arn", v3.serviceDeploymentArn, "--stop-type", "ABORT");
    assert.equal(abort.code, "InvalidParameterException", abort.stderr);
  });
});
