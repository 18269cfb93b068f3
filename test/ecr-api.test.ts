import {
  BatchCheckLayerAvailabilityCommand,
  BatchDeleteImageCommand,
  CompleteLayerUploadCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand,
  InitiateLayerUploadCommand,
  GetLifecyclePolicyCommand,
  ListImagesCommand,
  ListTagsForResourceCommand,
  PutImageCommand,
  PutLifecyclePolicyCommand,
  PutImageScanningConfigurationCommand,
  PutImageTagMutabilityCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { DOCKER_MANIFEST, pushImageBlobs, RegistryHttp, sha256 } from "./helpers/registry-http.js";

let unique = 0;
const repoName = (p: string) => `wharf-test/${p}-${process.pid}-${++unique}`;

const rejects = async (p: Promise<unknown>, name: string, message?: RegExp) => {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, `${err.name}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
};

describe("ECR API through @aws-sdk/client-ecr and the aws CLI, and the registry behind it", () => {
  let w: TestWharf;
  let ecr: ECRClient;
  let reg: RegistryHttp;
  before(async () => {
    w = await startTestWharf();
    ecr = new ECRClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const auth = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = Buffer.from(auth.authorizationData![0]!.authorizationToken!, "base64").toString("utf8");
    assert.match(token, /^AWS:/);
    reg = new RegistryHttp(w.server.registryHost!, token.slice(4));
  });
  after(async () => w.close());

  it("CreateRepository answers ECR's shape; settings stored; a second create is RepositoryAlreadyExistsException", async () => {
    const name = repoName("create");
    const out = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:111122223333:key/abc" },
        tags: [{ Key: "team", Value: "dogs" }],
      }),
    );
    const r = out.repository!;
    assert.equal(r.repositoryArn, `arn:aws:ecr:us-east-1:${w.server.accountId}:repository/${name}`);
    assert.equal(r.registryId, w.server.accountId);
    assert.equal(r.repositoryUri, `${w.server.registryHost}/${name}`);
    assert.match(w.server.registryHost!, /^127\.0\.0\.1:\d+$/);
    assert.equal(r.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(r.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual(r.encryptionConfiguration, { encryptionType: "KMS", kmsKey: "arn:aws:kms:us-east-1:111122223333:key/abc" });
    assert.ok(r.createdAt instanceof Date);
    await rejects(
      ecr.send(new CreateRepositoryCommand({ repositoryName: name })),
      "RepositoryAlreadyExistsException",
      new RegExp(`^The repository with name '${name}' already exists in the registry with id '${w.server.accountId}'$`),
    );
    const tags = await ecr.send(new ListTagsForResourceCommand({ resourceArn: r.repositoryArn }));
    assert.deepEqual(tags.tags, [{ Key: "team", Value: "dogs" }]);
    const plain = (await ecr.send(new CreateRepositoryCommand({ repositoryName: repoName("defaults") }))).repository!;
    assert.equal(plain.imageTagMutability, "MUTABLE");
    assert.deepEqual(plain.encryptionConfiguration, { encryptionType: "AES256" });
    assert.deepEqual(plain.imageScanningConfiguration, { scanOnPush: false });
  });

  it("refuses names the model refuses, and aws: tag keys", async () => {
    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: "Upper/Case" })), "InvalidParameterException", /repositoryName/);
    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: repoName("t"), tags: [{ Key: "aws:x", Value: "1" }] })), "InvalidTagParameterException");
  });

  it("DescribeRepositories pages, names missing repositories, and tags round-trip", async () => {
    const prefix = repoName("page");
    const names = Array.from({ length: 5 }, (_, i) => `${prefix}/r${i}`);
    for (const n of names) await ecr.send(new CreateRepositoryCommand({ repositoryName: n }));
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken }));
      assert.ok(out.repositories!.length <= 2);
      seen.push(...out.repositories!.map((r) => r.repositoryName!));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken);
    assert.ok(pages >= 3);
    for (const n of names) assert.ok(seen.includes(n));
    assert.equal(new Set(seen).size, seen.length);
    await rejects(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [names[0]!, `${prefix}/nope`] })),
      "RepositoryNotFoundException",
      new RegExp(`^The repository with name '${prefix}/nope' does not exist in the registry with id '${w.server.accountId}'$`),
    );
    const arn = `arn:aws:ecr:us-east-1:${w.server.accountId}:repository/${names[1]}`;
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
    await ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a"] }));
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ Key: "b", Value: "2" }]);
    await rejects(ecr.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-gone` })), "RepositoryNotFoundException");
  });

  it("GetAuthorizationToken: AWS:<token>, 12 hours, the registry's endpoint; the registry asks for and checks it", async () => {
    const auth = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!;
    assert.equal(auth.proxyEndpoint, `http://${w.server.registryHost}`);
    const hours = (auth.expiresAt!.getTime() - Date.now()) / 3600_000;
    assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
    const anon = await fetch(`http://${w.server.registryHost}/v2/`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate") ?? "", /^Basic realm=/);
    assert.equal((await anon.json()).errors[0].code, "DENIED");
    const bad = new RegistryHttp(w.server.registryHost!, "wharf1.forged.sig");
    assert.equal((await bad.fetch("/v2/")).status, 401);
    const ok = await reg.fetch("/v2/");
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get("docker-distribution-api-version"), "registry/2.0");
  });

  it("registry requests are authorized as the token's signer: a pull-only IAM user pulls but cannot push", async () => {
    const name = repoName("iam");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const img = await pushImageBlobs(reg, name, "iam");
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: "v1" }));
    const iam = new IAMClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const user = `ecr-puller-${process.pid}-${++unique}`;
    await iam.send(new CreateUserCommand({ UserName: user }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: user,
        PolicyName: "pull",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource: `arn:aws:ecr:us-east-1:${w.server.accountId}:repository/${name}` },
          ],
        }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    const userEcr = new ECRClient({ endpoint: w.server.url, region: "us-east-1", credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }, maxAttempts: 1 });
    const token = Buffer.from((await userEcr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!, "base64").toString().slice(4);
    const asUser = new RegistryHttp(w.server.registryHost!, token);
    const pulled = await asUser.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(pulled.status, 200);
    assert.equal(await pulled.text(), img.manifest);
    const push = await asUser.fetch(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    assert.equal(push.status, 403);
    const body = await push.json();
    assert.equal(body.errors[0].code, "DENIED");
    assert.equal(body.errors[0].message, `User: arn:aws:iam::${w.server.accountId}:user/${user} is not authorized to perform: ecr:InitiateLayerUpload on resource: arn:aws:ecr:us-east-1:${w.server.accountId}:repository/${name}`);
    assert.equal((await asUser.putManifest(name, "v2", img.manifest, DOCKER_MANIFEST)).status, 403);
    iam.destroy();
    userEcr.destroy();
  });

  it("the registry refuses pushes to repositories that do not exist (NAME_UNKNOWN)", async () => {
    const name = repoName("ghost");
    const res = await reg.fetch(`/v2/${name}/blobs/uploads/`, { method: "POST" });
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.errors[0].code, "NAME_UNKNOWN");
    assert.equal(body.errors[0].message, `The repository with name '${name}' does not exist in the registry with id '${w.server.accountId}'`);
  });

  it("PutImage needs the layers; then BatchGetImage, DescribeImages, ListImages and the registry agree", async () => {
    const name = repoName("images");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    // Layers that were never uploaded: ECR's LayersNotFoundException.
    const ghost = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: sha256("nope-config"), size: 11 },
      layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: sha256("nope-layer"), size: 10 }],
    });
    await rejects(ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: ghost, imageTag: "v0" })), "LayersNotFoundException", /Layers with digests '\[sha256:/);
    await rejects(ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: "{not json", imageTag: "v0" })), "InvalidParameterException", /Invalid JSON syntax/);

    const one = await pushImageBlobs(reg, name, "one");
    const put = await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: one.manifest, imageTag: "v1" }));
    const d1 = sha256(one.manifest);
    assert.equal(put.image!.imageId!.imageDigest, d1);
    assert.equal(put.image!.imageManifestMediaType, DOCKER_MANIFEST);
    await rejects(ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: one.manifest, imageTag: "v1" })), "ImageAlreadyExistsException");
    await rejects(ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: one.manifest, imageDigest: sha256("other") })), "ImageDigestDoesNotMatchException");

    const got = await ecr.send(new BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "v1" }, { imageTag: "nope" }, {}] }));
    assert.equal(got.images!.length, 1);
    assert.equal(got.images![0]!.imageManifest, one.manifest);
    assert.deepEqual(got.images![0]!.imageId, { imageDigest: d1, imageTag: "v1" });
    assert.deepEqual(
      got.failures!.map((f) => [f.failureCode, f.failureReason]),
      [
        ["ImageNotFound", "Requested image not found"],
        ["MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"],
      ],
    );

    // The registry serves what PutImage stored, by tag.
    const pulled = await reg.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(pulled.status, 200);
    assert.equal(pulled.headers.get("docker-content-digest"), d1);
    assert.equal(await pulled.text(), one.manifest);

    const desc = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!;
    assert.equal(desc.length, 1);
    assert.equal(desc[0]!.imageDigest, d1);
    assert.deepEqual(desc[0]!.imageTags, ["v1"]);
    assert.equal(desc[0]!.imageSizeInBytes, one.layerBytes);
    assert.ok(desc[0]!.imagePushedAt instanceof Date);
    assert.ok(desc[0]!.lastRecordedPullTime instanceof Date, "the registry pull is recorded");

    // A second image pushed as v1 by the registry (docker push's way) moves the tag; the first stays, untagged.
    const two = await pushImageBlobs(reg, name, "two", 3);
    const d2 = sha256(two.manifest);
    const res = await reg.putManifest(name, "v1", two.manifest, DOCKER_MANIFEST);
    assert.equal(res.status, 201, await res.text());
    assert.equal(res.headers.get("docker-content-digest"), d2);
    const tagged = await ecr.send(new ListImagesCommand({ repositoryName: name, filter: { tagStatus: "TAGGED" } }));
    assert.deepEqual(tagged.imageIds, [{ imageDigest: d2, imageTag: "v1" }]);
    const untagged = await ecr.send(new ListImagesCommand({ repositoryName: name, filter: { tagStatus: "UNTAGGED" } }));
    assert.deepEqual(untagged.imageIds, [{ imageDigest: d1 }]);
    const list = await (await reg.fetch(`/v2/${name}/tags/list`)).json();
    assert.deepEqual(list, { name, tags: ["v1"] });
    await rejects(ecr.send(new DescribeImagesCommand({ repositoryName: name, imageIds: [{ imageTag: "gone" }] })), "ImageNotFoundException", /imageTag:'gone'/);
    const missing = await reg.fetch(`/v2/${name}/manifests/gone`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).errors[0].code, "MANIFEST_UNKNOWN");
  });

  it("IMMUTABLE tags: PutImage answers ImageTagAlreadyExistsException, the registry TAG_INVALID", async () => {
    const name = repoName("immutable");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE" }));
    const a = await pushImageBlobs(reg, name, "a");
    const b = await pushImageBlobs(reg, name, "b");
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: a.manifest, imageTag: "v1" }));
    await rejects(
      ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: b.manifest, imageTag: "v1" })),
      "ImageTagAlreadyExistsException",
      new RegExp(`^The image tag 'v1' already exists in the '${name}' repository and cannot be overwritten because the tag is immutable\\.$`),
    );
    const res = await reg.putManifest(name, "v1", b.manifest, DOCKER_MANIFEST);
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.errors[0].code, "TAG_INVALID");
    assert.match(body.errors[0].message, /cannot be overwritten because the tag is immutable/);
    // A new tag is fine.
    assert.equal((await reg.putManifest(name, "v2", b.manifest, DOCKER_MANIFEST)).status, 201);
    const tags = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.flatMap((d) => d.imageTags ?? []).sort();
    assert.deepEqual(tags, ["v1", "v2"]);
    // Exclusions: `dev-*` tags stay movable in an otherwise immutable repository.
    await rejects(ecr.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })), "InvalidParameterException", /Exclusion filters are required/);
    const changed = await ecr.send(
      new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageTagMutabilityExclusionFilters: [{ filterType: "WILDCARD", filter: "dev-*" }] }),
    );
    assert.equal(changed.imageTagMutability, "IMMUTABLE_WITH_EXCLUSION");
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: a.manifest, imageTag: "dev-1" }));
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: b.manifest, imageTag: "dev-1" }));
    await rejects(ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: a.manifest, imageTag: "v2" })), "ImageTagAlreadyExistsException");
    await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: name, imageTagMutability: "MUTABLE" }));
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: a.manifest, imageTag: "v2" }));
    const scan = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: name, imageScanningConfiguration: { scanOnPush: true } }));
    assert.deepEqual(scan.imageScanningConfiguration, { scanOnPush: true });
    const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }))).repositories![0]!;
    assert.equal(repo.imageTagMutability, "MUTABLE");
    assert.equal(repo.imageTagMutabilityExclusionFilters, undefined);
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
  });

  it("BatchDeleteImage by tag and by digest, ListImages pages, DeleteRepository needs force", async () => {
    const name = repoName("delete");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const digests: string[] = [];
    for (let i = 0; i < 5; i++) {
      const img = await pushImageBlobs(reg, name, `del-${i}`, 1);
      await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: `t${i}` }));
      digests.push(sha256(img.manifest));
    }
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: (await ecr.send(new BatchGetImageCommand({ repositoryName: name, imageIds: [{ imageTag: "t0" }] }))).images![0]!.imageManifest!, imageTag: "extra" }));
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const out = await ecr.send(new ListImagesCommand({ repositoryName: name, maxResults: 2, nextToken }));
      ids.push(...out.imageIds!.map((x) => `${x.imageDigest}:${x.imageTag}`));
      nextToken = out.nextToken;
    } while (nextToken);
    assert.equal(ids.length, 6);

    // A tag of an image with two tags removes only the tag.
    const untag = await ecr.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: "extra" }, { imageTag: "nope" }] }));
    assert.deepEqual(untag.imageIds, [{ imageDigest: digests[0], imageTag: "extra" }]);
    assert.deepEqual(untag.failures!.map((f) => f.failureCode), ["ImageNotFound"]);
    // The last tag takes the image with it; a digest takes the image and its tags.
    const del = await ecr.send(new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: "t0" }, { imageDigest: digests[1] }] }));
    assert.deepEqual(del.imageIds, [{ imageDigest: digests[0], imageTag: "t0" }, { imageDigest: digests[1], imageTag: "t1" }]);
    assert.equal((await reg.fetch(`/v2/${name}/manifests/${digests[1]}`)).status, 404);
    const left = (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.map((d) => d.imageDigest).sort();
    assert.deepEqual(left, digests.slice(2).sort());

    await rejects(
      ecr.send(new DeleteRepositoryCommand({ repositoryName: name })),
      "RepositoryNotEmptyException",
      new RegExp(`^The repository with name '${name}' in registry with id '${w.server.accountId}' cannot be deleted because it still contains images$`),
    );
    const gone = await ecr.send(new DeleteRepositoryCommand({ repositoryName: name, force: true }));
    assert.equal(gone.repository!.repositoryName, name);
    await rejects(ecr.send(new DescribeImagesCommand({ repositoryName: name })), "RepositoryNotFoundException");
    assert.equal((await reg.fetch(`/v2/${name}/tags/list`)).status, 404);
  });

  it("the layer calls: an image pushed with the API alone (InitiateLayerUpload … PutImage), checked and downloaded", async () => {
    const name = repoName("layers");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const upload = async (data: Buffer) => {
      const { uploadId, partSize } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: name }));
      assert.ok(uploadId && partSize! > 0);
      const half = Math.floor(data.length / 2);
      await rejects(
        ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId, partFirstByte: 5, partLastByte: 5 + half - 1, layerPartBlob: data.subarray(0, half) })),
        "InvalidLayerPartException",
      );
      const p1 = await ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId, partFirstByte: 0, partLastByte: half - 1, layerPartBlob: data.subarray(0, half) }));
      assert.equal(p1.lastByteReceived, half - 1);
      await ecr.send(new UploadLayerPartCommand({ repositoryName: name, uploadId, partFirstByte: half, partLastByte: data.length - 1, layerPartBlob: data.subarray(half) }));
      await rejects(ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId, layerDigests: [sha256("something else")] })), "InvalidLayerException");
      const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId, layerDigests: [sha256(data)] }));
      assert.equal(done.layerDigest, sha256(data));
      return done.layerDigest!;
    };
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const layer = Buffer.from("a layer pushed through the ECR API ".repeat(300));
    const cd = await upload(config);
    const ld = await upload(layer);
    await rejects(ecr.send(new CompleteLayerUploadCommand({ repositoryName: name, uploadId: "00000000-0000-4000-8000-000000000000", layerDigests: [ld] })), "UploadNotFoundException");
    const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: name, layerDigests: [ld, sha256("missing")] }));
    assert.deepEqual(check.layers, [{ layerDigest: ld, layerAvailability: "AVAILABLE", layerSize: layer.length }]);
    assert.deepEqual(check.failures!.map((f) => [f.layerDigest, f.failureCode]), [[sha256("missing"), "MissingLayerDigest"]]);
    const url = (await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: name, layerDigest: ld }))).downloadUrl!;
    const got = await fetch(url);
    assert.equal(got.status, 200);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), layer);
    await rejects(ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: name, layerDigest: sha256("missing") })), "LayersNotFoundException");
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: cd, size: config.length },
      layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: ld, size: layer.length }],
    });
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: manifest, imageTag: "api" }));
    assert.equal((await reg.fetch(`/v2/${name}/manifests/api`)).status, 200);
  });

  it("a lifecycle policy keeping 3 tagged images expires the older ones, at once and after later pushes", async () => {
    const name = repoName("lifecycle");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const digests: string[] = [];
    for (let i = 0; i < 5; i++) {
      const img = await pushImageBlobs(reg, name, `life-${i}`, 1);
      await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: img.manifest, imageTag: `release-${i}` }));
      digests.push(sha256(img.manifest));
    }
    const untagged = await pushImageBlobs(reg, name, "life-untagged", 1);
    await ecr.send(new PutImageCommand({ repositoryName: name, imageManifest: untagged.manifest }));
    const policy = JSON.stringify({
      rules: [
        { rulePriority: 1, description: "keep 3 releases", selection: { tagStatus: "tagged", tagPrefixList: ["release-"], countType: "imageCountMoreThan", countNumber: 3 }, action: { type: "expire" } },
        { rulePriority: 2, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 }, action: { type: "expire" } },
      ],
    });
    await rejects(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: "tagged", countType: "imageCountMoreThan", countNumber: 3 }, action: { type: "expire" } }] }) })),
      "InvalidParameterException",
      /Lifecycle policy validation failure: 'tagPrefixList' or 'tagPatternList' is required/,
    );
    await rejects(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name })), "LifecyclePolicyNotFoundException", /Lifecycle policy does not exist for the repository/);
    const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: name, lifecyclePolicyText: policy }));
    assert.equal(put.lifecyclePolicyText, policy);
    const left = async () => (await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.map((d) => d.imageDigest!).sort();
    assert.deepEqual(await left(), [...digests.slice(2), sha256(untagged.manifest)].sort(), "the two oldest releases expired; the day-old rule spares the new untagged image");
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: name }));
    assert.equal(got.lifecyclePolicyText, policy);
    assert.ok(got.lastEvaluatedAt instanceof Date);
    // A push through the registry (docker push's way) applies it again.
    const next = await pushImageBlobs(reg, name, "life-5", 1);
    assert.equal((await reg.putManifest(name, "release-5", next.manifest, DOCKER_MANIFEST)).status, 201);
    assert.deepEqual(await left(), [...digests.slice(3), sha256(next.manifest), sha256(untagged.manifest)].sort());
    assert.equal((await reg.fetch(`/v2/${name}/manifests/release-2`)).status, 404);
    const del = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: name }));
    assert.equal(del.lifecyclePolicyText, policy);
    await rejects(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: name })), "LifecyclePolicyNotFoundException");
  });

  it("the aws CLI: create-repository, describe-repositories, get-login-password, describe-images, errors", async () => {
    const name = repoName("cli");
    const created = await w.aws("ecr", "create-repository", "--repository-name", name, "--image-tag-mutability", "IMMUTABLE");
    assert.equal(created.repository.repositoryUri, `${w.server.registryHost}/${name}`);
    const described = await w.aws("ecr", "describe-repositories", "--repository-names", name);
    assert.equal(described.repositories[0].imageTagMutability, "IMMUTABLE");
    const { stdout } = await import("node:child_process").then(({ execFile }) =>
      import("node:util").then(({ promisify }) => promisify(execFile)("aws", ["ecr", "get-login-password"], { env: w.awsEnv })),
    );
    const password = stdout.trim();
    assert.match(password, /^wharf1\./);
    const cliReg = new RegistryHttp(w.server.registryHost!, password);
    assert.equal((await cliReg.fetch("/v2/")).status, 200);
    const img = await pushImageBlobs(cliReg, name, "cli");
    assert.equal((await cliReg.putManifest(name, "latest", img.manifest, DOCKER_MANIFEST)).status, 201);
    const images = await w.aws("ecr", "describe-images", "--repository-name", name);
    assert.deepEqual(images.imageDetails[0].imageTags, ["latest"]);
    assert.equal(images.imageDetails[0].imageDigest, sha256(img.manifest));
    const err = await w.awsError("ecr", "delete-repository", "--repository-name", name);
    assert.equal(err.code, "RepositoryNotEmptyException");
    const missing = await w.awsError("ecr", "describe-images", "--repository-name", `${name}-nope`);
    assert.equal(missing.code, "RepositoryNotFoundException");
    await w.aws("ecr", "delete-repository", "--repository-name", name, "--force");
  });

  it("a restart keeps repositories, images, the registry's blobs and the tokens already handed out", async () => {
    const name = repoName("restart");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const img = await pushImageBlobs(reg, name, "restart");
    assert.equal((await reg.putManifest(name, "v1", img.manifest, DOCKER_MANIFEST)).status, 201);
    const token = (reg.headers().authorization ?? "").slice("Basic ".length);
    await w.stop();
    await w.restart();
    ecr = new ECRClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const again = new RegistryHttp(w.server.registryHost!, Buffer.from(token, "base64").toString().slice(4));
    const got = await again.fetch(`/v2/${name}/manifests/v1`, { headers: { accept: DOCKER_MANIFEST } });
    assert.equal(got.status, 200);
    assert.equal(await got.text(), img.manifest);
    const layer = JSON.parse(img.manifest).layers[0];
    const blob = await again.fetch(`/v2/${name}/blobs/${layer.digest}`);
    assert.equal(blob.status, 200);
    assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), layer.digest);
    assert.deepEqual((await ecr.send(new DescribeImagesCommand({ repositoryName: name }))).imageDetails!.map((d) => d.imageTags), [["v1"]]);
    reg = again;
  });

  it("operations Wharf has not built say so", async () => {
    const err = await w.awsError("ecr", "describe-registry");
    assert.equal(err.code, "UnsupportedFeatureException");
  });
});
