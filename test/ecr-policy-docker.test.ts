import { CreateRepositoryCommand, DeleteRepositoryPolicyCommand, ECRClient, SetRepositoryPolicyCommand } from "@aws-sdk/client-ecr";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { hex } from "./helpers/agent-fixtures.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const run = promisify(execFile);

/**
 * docker pull as an IAM user whose own policy allows only ecr:GetAuthorizationToken: refused,
 * then allowed by the repository policy, and refused again once DeleteRepositoryPolicy ran. The
 * root pushes the image; each login lives in a Docker config dir of this test's own; every tag
 * made is removed at the end (the wharf-test images keep theirs).
 */
describe("docker pull allowed by an ECR repository policy alone, refused after DeleteRepositoryPolicy", () => {
  let w: TestWharf;
  let ecr: ECRClient;
  let iam: IAMClient;
  const rootConfig = mkdtempSync(join(tmpdir(), "wharf-docker-root-"));
  const userConfig = mkdtempSync(join(tmpdir(), "wharf-docker-user-"));
  const madeTags: string[] = [];

  const docker = (config: string, ...args: string[]) => run("docker", args, { env: { ...process.env, DOCKER_CONFIG: config }, maxBuffer: 16 << 20 });
  const dockerFails = async (config: string, ...args: string[]) => {
    try {
      await docker(config, ...args);
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? "") + String((e as { stdout?: string }).stdout ?? "");
    }
    throw new Error(`docker ${args.join(" ")} succeeded but was expected to fail`);
  };
  const login = async (config: string, env: NodeJS.ProcessEnv) => {
    const password = (await run("aws", ["ecr", "get-login-password"], { env })).stdout.trim();
    const p = spawn("docker", ["login", "--username", "AWS", "--password-stdin", w.server.registryHost!], { env: { ...process.env, DOCKER_CONFIG: config } });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.stdin.end(password);
    const code = await new Promise<number>((r) => p.on("exit", (c) => r(c ?? 1)));
    assert.equal(code, 0, out);
  };

  before(async () => {
    w = await startTestWharf({ server: { serviceController: false, lbDataPlane: false } });
    ecr = new ECRClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    iam = new IAMClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    await login(rootConfig, w.awsEnv);
  });
  after(async () => {
    for (const t of madeTags.reverse()) await docker(rootConfig, "rmi", t).catch(() => undefined);
    for (const repo of new Set(madeTags.map((t) => t.slice(0, t.lastIndexOf(":"))))) {
      const { stdout } = await docker(rootConfig, "images", "--digests", "--format", "{{.Repository}}@{{.Digest}}", repo).catch(() => ({ stdout: "" }));
      for (const ref of stdout.split("\n").filter((l) => l.startsWith(`${repo}@sha256:`))) await docker(rootConfig, "rmi", ref).catch(() => undefined);
    }
    ecr?.destroy();
    iam?.destroy();
    await w?.close();
    rmSync(rootConfig, { recursive: true, force: true });
    rmSync(userConfig, { recursive: true, force: true });
  });

  it("pull refused without a policy, works with the repository policy, refused after it is deleted", async () => {
    const name = `wharf-test/policy-pull-${hex(4)}`;
    const uri = (await ecr.send(new CreateRepositoryCommand({ repositoryName: name }))).repository!.repositoryUri!;
    const image = `${uri}:v1`;
    madeTags.push(image);
    await docker(rootConfig, "tag", "wharf-test/busybox:latest", image);
    await docker(rootConfig, "push", image);
    await docker(rootConfig, "rmi", image);

    const user = `ecr-docker-${process.pid}-${hex(3)}`;
    const userArn = `arn:aws:iam::${w.server.accountId}:user/${user}`;
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(
      new PutUserPolicyCommand({ UserName: user, PolicyName: "login", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }] }) }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    await login(userConfig, { ...w.awsEnv, AWS_ACCESS_KEY_ID: key.AccessKeyId!, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey! });

    const before = await dockerFails(userConfig, "pull", image);
    assert.match(before, /denied: User: .* is not authorized to perform: ecr:BatchGetImage/);

    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: name,
        policyText: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Sid: "pull", Effect: "Allow", Principal: { AWS: userArn }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"] }],
        }),
      }),
    );
    const pulled = (await docker(userConfig, "pull", image)).stdout;
    assert.match(pulled, /Status: (Downloaded newer image|Image is up to date)/);
    await docker(rootConfig, "rmi", image);

    await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name }));
    const afterDelete = await dockerFails(userConfig, "pull", image);
    assert.match(afterDelete, new RegExp(`denied: User: ${userArn.replace(/[/.]/g, "\\$&")} is not authorized to perform: ecr:BatchGetImage`));
  });
});
