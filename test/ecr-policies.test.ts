import {
  CreateRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetLifecyclePolicyPreviewCommand,
  GetRepositoryPolicyCommand,
  ListImagesCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  SetRepositoryPolicyCommand,
  StartLifecyclePolicyPreviewCommand,
} from "@aws-sdk/client-ecr";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { DOCKER_MANIFEST, pushImageBlobs, RegistryHttp } from "./helpers/registry-http.js";

let unique = 0;
const repoName = (p: string) => `wharf-test/${p}-${process.pid}-${++unique}`;

const rejects = async (p: Promise<unknown>, name: string, message?: RegExp | string) => {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
};

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** A clock the test moves: previews complete on it. */
const testClock = () => {
  let t = Date.now();
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe("ECR repository policies and lifecycle policy previews (SDK, aws CLI, registry)", () => {
  let w: TestWharf;
  let ecr: ECRClient;
  let iam: IAMClient;
  let reg: RegistryHttp;
  const clock = testClock();
  const arn = (name: string) => `arn:aws:ecr:us-east-1:${w.server.accountId}:repository/${name}`;

  /** An IAM user with the given identity policy (or none) and its ECR client and registry token. */
  const user = async (identity?: string) => {
    const name = `ecr-pol-${process.pid}-${++unique}`;
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (identity) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "own", PolicyDocument: identity }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    const client = new ECRClient({ endpoint: w.server.url, region: "us-east-1", credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }, maxAttempts: 1 });
    return { name, arn: `arn:aws:iam::${w.server.accountId}:user/${name}`, ecr: client };
  };
  const registryAs = async (client: ECRClient) => {
    const token = Buffer.from((await client.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!, "base64").toString().slice(4);
    return new RegistryHttp(w.server.registryHost!, token);
  };
  const tokenOnly = policy({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });

  before(async () => {
    w = await startTestWharf({ server: { clock } });
    ecr = new ECRClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    iam = new IAMClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const token = Buffer.from((await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!, "base64").toString().slice(4);
    reg = new RegistryHttp(w.server.registryHost!, token);
  });
  after(async () => {
    ecr?.destroy();
    iam?.destroy();
    await w?.close();
  });

  it("SetRepositoryPolicy / GetRepositoryPolicy / DeleteRepositoryPolicy with ECR's errors", async () => {
    const name = repoName("crud");
    const id = w.server.accountId;
    await rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name })), "RepositoryNotFoundException", `The repository with name '${name}' does not exist in the registry with id '${id}'`);
    await rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: policy({ Effect: "Allow", Principal: "*", Action: "ecr:*" }) })), "RepositoryNotFoundException");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const noPolicy = `Repository policy does not exist for the repository with name '${name}' in the registry with id '${id}'`;
    await rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name })), "RepositoryPolicyNotFoundException", noPolicy);
    await rejects(ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name })), "RepositoryPolicyNotFoundException", noPolicy);

    const invalid = "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'";
    for (const text of [
      "{not json",
      policy({ Effect: "Allow", Action: "ecr:BatchGetImage" }), // no Principal
      policy({ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage", Resource: "*" }), // ECR implies the repository
      policy({ Effect: "Allow", Principal: { AWS: "not-an-arn" }, Action: "ecr:BatchGetImage" }),
      policy({ Effect: "Allow", Principal: "*" }), // no Action
    ]) {
      await rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: text })), "InvalidParameterException", invalid);
    }

    const text = policy({ Sid: "pull", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${id}:root` }, Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] });
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: text }));
    assert.deepEqual({ registryId: set.registryId, repositoryName: set.repositoryName, policyText: set.policyText }, { registryId: id, repositoryName: name, policyText: text });
    assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText, text);

    // A policy that denies its setter SetRepositoryPolicy needs force.
    const lockout = policy({ Effect: "Deny", Principal: "*", Action: "ecr:SetRepositoryPolicy" }, { Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" });
    await rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: lockout })), "InvalidParameterException", /prevent you from setting another policy/);
    assert.equal((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText, text);
    assert.equal((await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: lockout, force: true }))).policyText, lockout);

    const deleted = await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name }));
    assert.equal(deleted.policyText, lockout);
    await rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name })), "RepositoryPolicyNotFoundException", noPolicy);
  });

  it("the aws CLI sets, gets and deletes a repository policy", async () => {
    const name = repoName("cli");
    await w.aws("ecr", "create-repository", "--repository-name", name);
    const text = policy({ Effect: "Allow", Principal: { AWS: w.server.accountId }, Action: "ecr:ListImages" });
    const set = await w.aws("ecr", "set-repository-policy", "--repository-name", name, "--policy-text", text);
    assert.equal(set.policyText, text);
    assert.equal(set.repositoryName, name);
    assert.equal((await w.aws("ecr", "get-repository-policy", "--repository-name", name)).policyText, text);
    assert.equal((await w.aws("ecr", "delete-repository-policy", "--repository-name", name)).policyText, text);
    const err = await w.awsError("ecr", "get-repository-policy", "--repository-name", name);
    assert.equal(err.code, "RepositoryPolicyNotFoundException");
    const bad = await w.awsError("ecr", "set-repository-policy", "--repository-name", name, "--policy-text", '{"Statement":[]}');
    assert.equal(bad.code, "InvalidParameterException");
  });

  it("a user with no identity policy for the repository is allowed by the repository policy, API and registry; refused again once it is deleted", async () => {
    const name = repoName("grant");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const img = await pushImageBlobs(reg, name, "grant");
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: "v1" }));
    const u = await user(tokenOnly);
    const asUser = await registryAs(u.ecr);

    await rejects(
      u.ecr.send(new DescribeImagesCommand({ repositoryName: name })),
      "AccessDeniedException",
      `User: ${u.arn} is not authorized to perform: ecr:DescribeImages on resource: ${arn(name)} because no identity-based policy allows the ecr:DescribeImages action`,
    );
    const refused = await asUser.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(refused.status, 403);
    assert.equal((await refused.json()).errors[0].message, `User: ${u.arn} is not authorized to perform: ecr:BatchGetImage on resource: ${arn(name)}`);

    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: name,
        policyText: policy({ Sid: "reader", Effect: "Allow", Principal: { AWS: u.arn }, Action: ["ecr:DescribeImages", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"] }),
      }),
    );
    const described = await u.ecr.send(new DescribeImagesCommand({ repositoryName: name }));
    assert.deepEqual(described.imageDetails!.map((d) => d.imageTags), [["v1"]]);
    // Only what the policy grants: ListImages stays refused.
    await rejects(u.ecr.send(new ListImagesCommand({ repositoryName: name })), "AccessDeniedException", /ecr:ListImages/);
    const pulled = await asUser.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(pulled.status, 200);
    assert.equal(await pulled.text(), img.manifest);
    const push = await asUser.fetch(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    assert.equal(push.status, 403);
    await push.arrayBuffer();

    await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name }));
    await rejects(u.ecr.send(new DescribeImagesCommand({ repositoryName: name })), "AccessDeniedException");
    const after = await asUser.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(after.status, 403);
    await after.arrayBuffer();
    u.ecr.destroy();
  });

  it("an explicit Deny in the repository policy wins over the user's own Allow, API and registry", async () => {
    const name = repoName("deny");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const img = await pushImageBlobs(reg, name, "deny");
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: "v1" }));
    const u = await user(policy({ Effect: "Allow", Action: "ecr:*", Resource: "*" }));
    const asUser = await registryAs(u.ecr);
    assert.equal((await u.ecr.send(new ListImagesCommand({ repositoryName: name }))).imageIds!.length, 1);
    await ecr.send(
      new SetRepositoryPolicyCommand({
        repositoryName: name,
        policyText: policy({ Effect: "Deny", Principal: { AWS: u.arn }, Action: ["ecr:ListImages", "ecr:PutImage", "ecr:InitiateLayerUpload"] }),
      }),
    );
    await rejects(
      u.ecr.send(new ListImagesCommand({ repositoryName: name })),
      "AccessDeniedException",
      `User: ${u.arn} is not authorized to perform: ecr:ListImages on resource: ${arn(name)} with an explicit deny in a resource-based policy`,
    );
    // Not denied: still allowed by the identity policy.
    assert.equal((await u.ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.length, 1);
    const pulled = await asUser.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(pulled.status, 200);
    await pulled.arrayBuffer();
    const push = await asUser.fetch(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    assert.equal(push.status, 403);
    assert.equal((await push.json()).errors[0].code, "DENIED");
    // Another user of the account is not named by the Deny.
    const other = await user(policy({ Effect: "Allow", Action: "ecr:*", Resource: "*" }));
    assert.equal((await other.ecr.send(new ListImagesCommand({ repositoryName: name }))).imageIds!.length, 1);
    u.ecr.destroy();
    other.ecr.destroy();
  });

  it("a role session is allowed by a repository policy naming its role, API and registry", async () => {
    const name = repoName("role");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const img = await pushImageBlobs(reg, name, "role");
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: "v1" }));
    const roleName = `ecr-reader-${process.pid}-${++unique}`;
    const roleArn = `arn:aws:iam::${w.server.accountId}:role/${roleName}`;
    // The role trusts the account; its one identity policy lets it log in to the registry, nothing more.
    await iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: policy({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${w.server.accountId}:root` }, Action: "sts:AssumeRole" }) }),
    );
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: "login", PolicyDocument: tokenOnly }));
    const u = await user(policy({ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }));
    const sts = new STSClient({ endpoint: w.server.url, region: "us-east-1", credentials: await u.ecr.config.credentials(), maxAttempts: 1 });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "reader" }))).Credentials!;
    const session = new ECRClient({
      endpoint: w.server.url,
      region: "us-east-1",
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
      maxAttempts: 1,
    });
    const sessionArn = `arn:aws:sts::${w.server.accountId}:assumed-role/${roleName}/reader`;
    await rejects(session.send(new DescribeImagesCommand({ repositoryName: name })), "AccessDeniedException", new RegExp(`^User: ${sessionArn.replace(/[/.]/g, "\\$&")} is not authorized`));
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: policy({ Effect: "Allow", Principal: { AWS: roleArn }, Action: ["ecr:DescribeImages", "ecr:BatchGetImage"] }) }));
    assert.equal((await session.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.length, 1);
    const asSession = await registryAs(session);
    const pulled = await asSession.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(pulled.status, 200);
    await pulled.arrayBuffer();
    sts.destroy();
    session.destroy();
    u.ecr.destroy();
  });

  it("lifecycle policy previews: IN_PROGRESS, then COMPLETE on the clock with the images the rules would expire; nothing deleted", async () => {
    const name = repoName("preview");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    await rejects(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name })), "LifecyclePolicyPreviewNotFoundException", /Lifecycle policy preview does not exist/);
    await rejects(
      ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name })),
      "LifecyclePolicyNotFoundException",
      `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${w.server.accountId}'`,
    );
    await rejects(ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name, lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, description: "no countNumber", selection: { tagStatus: "any", countType: "imageCountMoreThan" }, action: { type: "expire" } }] }) })), "InvalidParameterException", /Lifecycle policy validation failure/);

    const digests: Record<string, string> = {};
    for (const tag of ["release-1", "release-2", "release-3", "release-4", ""]) {
      const img = await pushImageBlobs(reg, name, `preview-${tag}`);
      const out = await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, ...(tag ? { imageTag: tag } : {}) }));
      digests[tag || "untagged"] = out.image!.imageId!.imageDigest!;
      clock.advance(1000); // distinct push times, oldest first
    }
    const text = JSON.stringify({
      rules: [
        { rulePriority: 1, selection: { tagStatus: "tagged", tagPrefixList: ["release-"], countType: "imageCountMoreThan", countNumber: 2 }, action: { type: "expire" } },
        { rulePriority: 2, selection: { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } },
        { rulePriority: 3, selection: { tagStatus: "any", countType: "sinceImagePushed", countUnit: "days", countNumber: 30 }, action: { type: "expire" } },
      ],
    });
    // A second untagged image, newer: rule 2 keeps one untagged image, so the older one expires.
    const newer = await pushImageBlobs(reg, name, "preview-untagged-2");
    digests.untagged2 = (await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: newer.manifest }))).image!.imageId!.imageDigest!;

    const started = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name, lifecyclePolicyText: text }));
    assert.equal(started.status, "IN_PROGRESS");
    assert.equal(started.lifecyclePolicyText, text);
    await rejects(ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: name, lifecyclePolicyText: text })), "LifecyclePolicyPreviewInProgressException");
    const running = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name }));
    assert.equal(running.status, "IN_PROGRESS");
    assert.deepEqual(running.previewResults ?? [], []);

    clock.advance(60_000);
    const done = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name }));
    assert.equal(done.status, "COMPLETE");
    assert.equal(done.lifecyclePolicyText, text);
    const got = done.previewResults!.map((r) => ({ digest: r.imageDigest, tags: r.imageTags ?? [], rule: r.appliedRulePriority, action: r.action?.type }));
    assert.deepEqual(got, [
      { digest: digests["release-2"], tags: ["release-2"], rule: 1, action: "EXPIRE" },
      { digest: digests["release-1"], tags: ["release-1"], rule: 1, action: "EXPIRE" },
      { digest: digests.untagged, tags: [], rule: 2, action: "EXPIRE" },
    ]);
    assert.ok(done.previewResults!.every((r) => r.imagePushedAt instanceof Date));
    assert.equal(done.summary!.expiringImageTotalCount, 3);
    // A preview deletes nothing.
    assert.equal((await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.length, 6);

    const untagged = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, filter: { tagStatus: "UNTAGGED" } }));
    assert.deepEqual(untagged.previewResults!.map((r) => r.imageDigest), [digests.untagged]);
    const first = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, maxResults: 2 }));
    assert.equal(first.previewResults!.length, 2);
    assert.ok(first.nextToken);
    const second = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: name, maxResults: 2, nextToken: first.nextToken }));
    assert.deepEqual(second.previewResults!.map((r) => r.imageDigest), [digests.untagged]);
    assert.equal(second.nextToken, undefined);

  });

  it("a preview of the repository's own policy, through the aws CLI", async () => {
    const name = repoName("preview-cli");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    for (const seed of ["a", "b"]) {
      const img = await pushImageBlobs(reg, name, `cli-${seed}`);
      await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: seed }));
      clock.advance(1000);
    }
    const text = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }, action: { type: "expire" } }] });
    // Wharf enforces a policy when it is put: the preview after it finds what is left (nothing to expire).
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: text }));
    assert.equal((await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.length, 1);
    const started = await w.aws("ecr", "start-lifecycle-policy-preview", "--repository-name", name);
    assert.equal(started.status, "IN_PROGRESS");
    assert.equal(started.lifecyclePolicyText, text);
    clock.advance(60_000);
    const done = await w.aws("ecr", "get-lifecycle-policy-preview", "--repository-name", name);
    assert.equal(done.status, "COMPLETE");
    assert.deepEqual(done.previewResults, []);
    assert.equal(done.summary.expiringImageTotalCount, 0);
    // One more push: the preview of the stored policy names the older image; the push itself enforces it.
    const img = await pushImageBlobs(reg, name, "cli-c");
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: "c" }));
    assert.deepEqual((await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.map((d) => d.imageTags), [["c"]]);
  });
});
