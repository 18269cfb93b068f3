import { DescribeClustersCommand, DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { AgentWorld, uniqueSubnet } from "./helpers/agent-tasks.js";

/**
 * examples/terraform-fargate with the real `terraform` binary and the hashicorp/aws provider from
 * the machine's local mirror: an aws_ecs_service with launch_type FARGATE and
 * wait_for_steady_state applies, plans with no changes, and destroys, against a control plane
 * whose Fargate capacity is a real agent on the real Docker Engine.
 */

const run = promisify(execFile);
const MIRRORS = [process.env.WHARF_TF_MIRROR, "/opt/tf-plugins", "/usr/share/terraform/plugins", "/root/.terraform.d/plugins"].filter(
  (d): d is string => !!d,
);
const mirror = MIRRORS.find((d) => existsSync(join(d, "registry.terraform.io", "hashicorp", "aws")));
const hasTerraform = await run("terraform", ["version"]).then(
  () => true,
  () => false,
);
const skip = !hasTerraform ? "terraform is not installed" : !mirror ? "no local hashicorp/aws provider mirror" : false;

describe("Terraform: a FARGATE service applies, plans clean and destroys", { skip }, () => {
  const w = new AgentWorld();
  let dir = "";
  let env: NodeJS.ProcessEnv = {};
  const vars: string[] = [];
  const tf = (...args: string[]) => run("terraform", [`-chdir=${dir}`, ...args], { env, maxBuffer: 16 << 20 });

  before(async () => {
    await w.start("tf-fargate");
    await w.agent({ fargate: true });
    dir = join(w.agentDir, "tf");
    cpSync(join(process.cwd(), "examples", "terraform-fargate"), dir, { recursive: true });
    const rc = join(w.agentDir, "terraform.rc");
    writeFileSync(
      rc,
      `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
    );
    env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: rc,
      TF_IN_AUTOMATION: "1",
      CHECKPOINT_DISABLE: "1",
      AWS_ACCESS_KEY_ID: w.h.server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: w.h.server.credentials.secretAccessKey,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    };
    const [a, b] = w.subnets(uniqueSubnet(), uniqueSubnet());
    vars.push(
      "-var", `endpoint=${w.h.server.url}`,
      "-var", "image=wharf-test/busybox:latest",
      "-var", `name=${w.cluster}`,
      "-var", "stop_timeout=2",
    );
    // The example's subnets, replaced by this test's own (their Docker networks are removed after).
    const main = join(dir, "main.tf");
    const text = readFileSync(main, "utf8").replace(/subnets\s*=\s*\[[^\]]*\]/, `subnets = ["${a}", "${b}"]`);
    writeFileSync(main, text);
  });
  after(async () => {
    if (dir) await tf("destroy", "-auto-approve", "-input=false", "-no-color", ...vars).catch(() => undefined);
    await w.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("apply (waits for steady state), plan -detailed-exitcode = 0, destroy", async () => {
    await tf("init", "-input=false", "-no-color");
    await tf("apply", "-auto-approve", "-input=false", "-no-color", ...vars);
    const svc = await w.h.ecs.send(new DescribeServicesCommand({ cluster: w.cluster, services: [`${w.cluster}-svc`] }));
    assert.equal(svc.services![0]!.launchType, "FARGATE");
    assert.equal(svc.services![0]!.runningCount, 2, "wait_for_steady_state returned with both tasks running");
    const tasks = await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, desiredStatus: "RUNNING" }));
    assert.equal(tasks.taskArns!.length, 2);

    const plan = await tf("plan", "-detailed-exitcode", "-input=false", "-no-color", ...vars).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await tf("destroy", "-auto-approve", "-input=false", "-no-color", ...vars);
    const gone = await w.h.ecs.send(new DescribeClustersCommand({ clusters: [w.cluster] }));
    assert.equal(gone.clusters?.[0]?.status ?? "INACTIVE", "INACTIVE", "the cluster was deleted");
    const left = await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, desiredStatus: "RUNNING" })).catch(() => ({ taskArns: [] }));
    assert.deepEqual(left.taskArns ?? [], []);
  });
});
