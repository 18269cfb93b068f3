import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { loadAgentState } from "../src/agent/agent-state.js";
import { subnetNetworkName } from "../src/agent/network/docker-networks.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { removeInstanceContainers, ownLoopbackIp } from "./helpers/agent-fixtures.js";
import { removeNetwork } from "./helpers/agent-tasks.js";
import { leaseCidr16 } from "./helpers/cidr-lease.js";
import { type Child, startChild } from "./helpers/child-server.js";

/**
 * The user flow, as a new user meets it: `wharf up` (a child process with its two local
 * agents), then the AWS CLI only — register the seed's sample-fargate.json, run it on FARGATE,
 * wait for it, and read its page at the task's private address on port 80.
 */

const run = promisify(execFile);

describe("Fargate on `wharf up`, with the AWS CLI only (real Docker)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-fargate-up-"));
  // Its own default VPC block: the Docker network of the subnet must not overlap another test's.
  const lease = leaseCidr16();
  let subnet = "";
  let child: Child | undefined;
  after(async () => {
    if (child && child.proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        child!.proc.once("exit", () => resolve());
        child!.proc.kill("SIGTERM");
      });
    }
    for (const name of ["default-local", "fargate-local"]) {
      const state = loadAgentState(join(dataDir, "agents", name));
      if (state?.containerInstanceArn) await removeInstanceContainers(state.containerInstanceArn).catch(() => undefined);
    }
    if (subnet) await removeNetwork(new DockerClient(), subnetNetworkName(subnet)).catch(() => undefined);
    lease.release();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs sample-fargate.json on FARGATE and serves 'Amazon ECS Sample App'", async () => {
    const hostIp = ownLoopbackIp();
    child = startChild(["up", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir, "--host-ip", hostIp], { WHARF_DEFAULT_VPC_CIDR: lease.cidr });
    const deadline = Date.now() + 30_000;
    while (!/Fargate capacity/.test(child.output())) {
      if (child.proc.exitCode !== null || Date.now() > deadline) throw new Error(`wharf up did not start its agents: ${child.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = /Wharf is up at (http:\/\/\S+)/.exec(child.output())![1]!;
    const creds = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: url,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_PAGER: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const aws = async (...args: string[]) => {
      const { stdout } = await run("aws", [...args, "--output", "json"], { env });
      return stdout.trim() ? JSON.parse(stdout) : {};
    };

    // A default subnet, as a new user would pick one.
    const subnets = await aws("ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true", "Name=availability-zone,Values=us-east-1a");
    subnet = subnets.Subnets[0].SubnetId;
    assert.ok(subnets.Subnets[0].CidrBlock.startsWith(`${lease.prefix}.`), "the default VPC's block came from WHARF_DEFAULT_VPC_CIDR");
    const td = JSON.parse(readFileSync(join(process.cwd(), "examples", "sample-fargate.json"), "utf8"));
    td.containerDefinitions[0].image = "wharf-test/busybox:latest"; // the offline stand-in for httpd:2.4
    const file = join(dataDir, "sample-fargate.json");
    writeFileSync(file, JSON.stringify(td));
    await aws("ecs", "register-task-definition", "--cli-input-json", `file://${file}`);
    const out = await aws(
      "ecs", "run-task", "--task-definition", "sample-fargate", "--launch-type", "FARGATE",
      "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}],assignPublicIp=ENABLED}`,
    );
    assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
    const arn = out.tasks[0].taskArn as string;
    await aws("ecs", "wait", "tasks-running", "--tasks", arn);
    const described = await aws("ecs", "describe-tasks", "--tasks", arn);
    const t = described.tasks[0];
    assert.equal(t.launchType, "FARGATE");
    const ip = t.attachments[0].details.find((d: { name: string }) => d.name === "privateIPv4Address").value as string;
    let body = "";
    for (let i = 0; i < 100 && !body; i++) {
      body = await fetch(`http://${ip}/`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.text(),
        () => new Promise<string>((r) => setTimeout(() => r(""), 100)),
      );
    }
    assert.match(body, /Amazon ECS Sample App/);
    // The default cluster lists only the EC2 agent; the Fargate host is in no cluster.
    const instances = await aws("ecs", "list-container-instances");
    assert.equal(instances.containerInstanceArns.length, 1);
    await aws("ecs", "stop-task", "--task", arn);
  });
});
