import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { exampleFile } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const run = promisify(execFile);

/**
 * `docker login` / `docker push` to Wharf's registry as a new user would, and a task that runs
 * the pushed image: the seed's dogs definition changed only in its account and Region. The
 * Wharf runs under an account of its own (random), so the name the agent tags the pulled image
 * with (`<account>.dkr.ecr.us-east-1.amazonaws.com/dogs`) is this test's alone; every tag the
 * test or the agent makes is removed at the end, the wharf-test images keep theirs.
 */
describe("docker push to Wharf's ECR, and a task that runs the pushed image", () => {
  const w = new AgentWorld();
  const dockerConfig = mkdtempSync(join(tmpdir(), "wharf-docker-config-"));
  const account = `9${Array.from({ length: 11 }, () => Math.floor(Math.random() * 10)).join("")}`;
  const madeTags: string[] = [];
  let ecr: ECRClient;
  let host = "";
  const previousAccount = process.env.WHARF_ACCOUNT_ID;

  /** The docker CLI with this test's own config dir (the login is never written to the user's). */
  const docker = (...args: string[]) => run("docker", args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, maxBuffer: 16 << 20 });
  const dockerFails = async (...args: string[]) => {
    try {
      await docker(...args);
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? "") + String((e as { stdout?: string }).stdout ?? "");
    }
    throw new Error(`docker ${args.join(" ")} succeeded but was expected to fail`);
  };
  const tag = async (source: string, target: string) => {
    madeTags.push(target);
    await docker("tag", source, target);
  };

  before(async () => {
    process.env.WHARF_ACCOUNT_ID = account;
    w.defer(() => rmSync(dockerConfig, { recursive: true, force: true }));
    w.defer(async () => {
      for (const t of madeTags.reverse()) await docker("rmi", t).catch(() => undefined);
      // A pushed image keeps a digest reference per repository even once its tag moved on: drop those too.
      for (const repo of new Set(madeTags.map((t) => t.slice(0, t.lastIndexOf(":"))))) {
        const { stdout } = await docker("images", "--digests", "--format", "{{.Repository}}@{{.Digest}}", repo).catch(() => ({ stdout: "" }));
        for (const ref of stdout.split("\n").filter((l) => l.startsWith(`${repo}@sha256:`))) await docker("rmi", ref).catch(() => undefined);
      }
    });
    await w.start("ecr-push");
    if (previousAccount === undefined) delete process.env.WHARF_ACCOUNT_ID;
    else process.env.WHARF_ACCOUNT_ID = previousAccount;
    assert.equal(w.h.server.accountId, account);
    host = w.h.server.registryHost!;
    ecr = new ECRClient({ endpoint: w.h.server.url, region: "us-east-1", credentials: w.h.server.credentials, maxAttempts: 1 });
    // aws ecr get-login-password | docker login --username AWS --password-stdin <registry>
    const password = (await run("aws", ["ecr", "get-login-password"], { env: w.h.awsEnv })).stdout.trim();
    const login = spawn("docker", ["login", "--username", "AWS", "--password-stdin", host], { env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
    let out = "";
    login.stdout.on("data", (d) => (out += d));
    login.stderr.on("data", (d) => (out += d));
    login.stdin.end(password);
    const code = await new Promise<number>((r) => login.on("exit", (c) => r(c ?? 1)));
    assert.equal(code, 0, out);
    assert.match(out, /Login Succeeded/);
  });
  after(() => w.close());

  it("docker push of a repositoryUri: describe-images shows its digest and tag; a push to a missing repository is refused", async () => {
    const name = `wharf-test/pushed-${hex(4)}`;
    const repo = (await ecr.send(new CreateRepositoryCommand({ repositoryName: name }))).repository!;
    assert.equal(repo.repositoryUri, `${host}/${name}`);
    await tag("wharf-test/busybox:latest", `${repo.repositoryUri}:v1`);
    const pushed = (await docker("push", `${repo.repositoryUri}:v1`)).stdout;
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)?.[1];
    assert.ok(digest, pushed);
    const images = await w.h.aws("ecr", "describe-images", "--repository-name", name);
    assert.equal(images.imageDetails.length, 1);
    assert.equal(images.imageDetails[0].imageDigest, digest);
    assert.deepEqual(images.imageDetails[0].imageTags, ["v1"]);
    assert.ok(images.imageDetails[0].imageSizeInBytes > 0);
    // The local tag gone, docker pull fetches it back through the registry (the pull is recorded).
    await docker("rmi", `${repo.repositoryUri}:v1`);
    await docker("pull", `${repo.repositoryUri}:v1`);
    const after = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails![0]!;
    assert.ok(after.lastRecordedPullTime instanceof Date);

    const ghost = `${host}/wharf-test/ghost-${hex(4)}:v1`;
    await tag("wharf-test/busybox:latest", ghost);
    const refused = await dockerFails("push", ghost);
    assert.match(refused, /name unknown: The repository with name 'wharf-test\/ghost-[a-f0-9]+' does not exist in the registry with id '\d{12}'/);
  });

  it("an IMMUTABLE repository refuses a push of an existing tag with ECR's error", async () => {
    const name = `wharf-test/immutable-${hex(4)}`;
    const repo = (await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }))).repository!;
    await tag("wharf-test/busybox:latest", `${repo.repositoryUri}:v1`);
    await docker("push", `${repo.repositoryUri}:v1`);
    await tag("wharf-test/httpd:latest", `${repo.repositoryUri}:v1`);
    const refused = await dockerFails("push", `${repo.repositoryUri}:v1`);
    assert.match(refused, new RegExp(`tag invalid: The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable`));
    const images = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!;
    assert.equal(images.length, 1);
  });

  it("the seed's dogs task, changed only in its account and Region, runs from the repository", async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "dogs" }));
    await tag("wharf-test/nginx:latest", `${host}/dogs:latest`);
    await docker("push", `${host}/dogs:latest`);
    await docker("rmi", `${host}/dogs:latest`);
    const ecrName = `${account}.dkr.ecr.us-east-1.amazonaws.com/dogs`;
    madeTags.push(`${ecrName}:latest`, `${host}/dogs:latest`); // what the agent pulls and tags
    await w.agent();
    const td = JSON.parse(readFileSync(exampleFile("dogs-ec2-awsvpc.json"), "utf8"));
    const seedImage: string = td.containerDefinitions[0].image;
    assert.equal(seedImage, "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/dogs");
    td.containerDefinitions[0].image = seedImage.replace("123456789012", account).replace("ap-northeast-2", "us-east-1");
    assert.equal(td.containerDefinitions[0].image, ecrName);
    await w.h.ecs.send(new RegisterTaskDefinitionCommand(td));
    const [subnet] = await w.defaultSubnets(1);
    const out = await w.h.ecs.send(
      new RunTaskCommand({ cluster: w.cluster, taskDefinition: "dogsdef", networkConfiguration: { awsvpcConfiguration: { subnets: [subnet!] } } }),
    );
    assert.deepEqual(out.failures, []);
    const [task] = await w.waitTasks([out.tasks![0]!.taskArn!], "RUNNING", 60_000);
    assert.equal(task!.containers![0]!.image, ecrName);
    assert.ok(task!.pullStartedAt && task!.pullStoppedAt);
    const detail = await waitFor(
      async () => (await ecr.send(new DescribeImagesCommand({ repositoryName: "dogs" }))).imageDetails!.find((d) => d.lastRecordedPullTime),
      { what: "the agent's pull recorded on the image", timeoutMs: 10_000 },
    );
    assert.deepEqual(detail.imageTags, ["latest"]);
    assert.equal(task!.containers![0]!.imageDigest, detail.imageDigest, "the container reports the pulled image's digest");
    // Docker knows the image by the task definition's name: the container was created from it.
    const inspect = JSON.parse((await docker("image", "inspect", `${ecrName}:latest`)).stdout)[0];
    assert.ok(inspect.RepoDigests.some((d: string) => d === `${host}/dogs@${detail.imageDigest}`), JSON.stringify(inspect.RepoDigests));

    // The same image named by digest on the ECR host runs too (created from the registry's digest name).
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "dogs-by-digest",
        containerDefinitions: [{ name: "dogs", image: `${ecrName}@${detail.imageDigest}`, memory: 64, essential: true }],
      }),
    );
    const byDigest = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: "dogs-by-digest" }));
    assert.deepEqual(byDigest.failures, []);
    const [t2] = await w.waitTasks([byDigest.tasks![0]!.taskArn!], "RUNNING", 60_000);
    assert.equal(t2!.containers![0]!.imageDigest, detail.imageDigest);
  });
  it("a task's execution role pulls: denied without ECR permissions (token, then image), allowed with AmazonECSTaskExecutionRolePolicy", async () => {
    const name = `wharf-test/private-${hex(4)}`;
    const repo = (await ecr.send(new CreateRepositoryCommand({ repositoryName: name }))).repository!;
    const image = `${repo.repositoryUri}:v1`;
    // (runs after the dogs test, whose agent it uses)
    await tag("wharf-test/busybox:latest", image);
    await docker("push", image);
    await docker("rmi", image);
    const role = `exec-pull-${hex(4)}`;
    const roleArn: string = (
      await w.h.aws("iam", "create-role", "--role-name", role, "--assume-role-policy-document",
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] }))
    ).Role.Arn;
    const inline = (actions: string[]) =>
      w.h.aws("iam", "put-role-policy", "--role-name", role, "--policy-name", "only", "--policy-document",
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }));
    await inline(["logs:CreateLogStream", "logs:PutLogEvents"]);
    let taskDef = "";
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `exec-pull-${hex(3)}`,
        executionRoleArn: roleArn,
        containerDefinitions: [{ name: "app", image, memory: 32, essential: true, command: ["sleep", "3600"] }],
      }),
    ).then((r) => (taskDef = r.taskDefinition!.taskDefinitionArn!));
    const runOnce = async (status: string) => {
      const out = await w.h.ecs.send(new RunTaskCommand({ cluster: w.cluster, taskDefinition: taskDef }));
      assert.deepEqual(out.failures, []);
      const [t] = await w.waitTasks([out.tasks![0]!.taskArn!], status, 60_000);
      return t!;
    };

    // No ECR permission: the role's GetAuthorizationToken is denied, the pull fails as ECS's does.
    const noToken = await runOnce("STOPPED");
    assert.match(`${noToken.stoppedReason} ${noToken.containers![0]!.reason}`, /CannotPullContainerError/);
    // (ECS cuts reasons at 255 characters: what is left names the token call and the role's session)
    assert.match(noToken.stoppedReason!, new RegExp(`ECR authorization token .*AccessDeniedException: User: arn:aws:sts::${account}:assumed-role/${role}/[0-9a-f]+ is not author`));

    // The managed policy ECS users attach: the pull goes through, as the role.
    await w.h.aws("iam", "attach-role-policy", "--role-name", role, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
    const ok = await runOnce("RUNNING");
    assert.ok(ok.containers![0]!.imageDigest);
    await docker("rmi", image); // untag what the agent pulled, so the next pull cannot fall back to it

    // A token, but no image permissions: Wharf's registry refuses the role's pull.
    await w.h.aws("iam", "detach-role-policy", "--role-name", role, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
    await inline(["ecr:GetAuthorizationToken"]);
    const noImage = await runOnce("STOPPED");
    assert.match(`${noImage.stoppedReason} ${noImage.containers![0]!.reason}`, /CannotPullContainerError/);
    assert.match(JSON.stringify(noImage), /denied|not authorized/i);
    assert.doesNotMatch(noImage.stoppedReason!, /could not get an ECR authorization token/, "the token was issued; the registry refused");
  });
});
