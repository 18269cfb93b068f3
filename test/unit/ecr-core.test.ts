import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { basicToken, checkToken, mintToken } from "../../src/core/ecr/auth-token.js";
import { applyPush, type ImageDoc, tagIsImmutable } from "../../src/core/ecr/images.js";
import { imageSize, MEDIA, ManifestError, manifestDigest, parseManifest } from "../../src/core/ecr/manifest.js";
import { ecrHostParts, parseImageRef, repositoryArn } from "../../src/core/ecr/names.js";
import { EcrPulls } from "../../src/agent/ecr-pull.js";

const key = Buffer.alloc(32, 7);

describe("ECR's pure rules", () => {
  it("names: ARNs, ECR hosts, image references", () => {
    assert.equal(repositoryArn({ accountId: "123456789012", region: "eu-west-1" }, "a/b"), "arn:aws:ecr:eu-west-1:123456789012:repository/a/b");
    assert.equal(repositoryArn({ accountId: "123456789012", region: "cn-north-1" }, "x"), "arn:aws-cn:ecr:cn-north-1:123456789012:repository/x");
    assert.deepEqual(ecrHostParts("123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"), { accountId: "123456789012", region: "ap-northeast-2" });
    assert.equal(ecrHostParts("docker.io"), undefined);
    assert.deepEqual(parseImageRef("123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/dogs"), { host: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com", repository: "dogs" });
    assert.deepEqual(parseImageRef("127.0.0.1:4701/a/b:v1"), { host: "127.0.0.1:4701", repository: "a/b", tag: "v1" });
    assert.deepEqual(parseImageRef("nginx:alpine"), { repository: "nginx", tag: "alpine" });
    assert.deepEqual(parseImageRef(`h.io/x@sha256:${"a".repeat(64)}`), { host: "h.io", repository: "x", digest: `sha256:${"a".repeat(64)}` });
  });

  it("manifests: media types, sizes, digests of the exact bytes; what is not a manifest is refused", () => {
    const text = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.dockerManifest, config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: "sha256:c", size: 5 }, layers: [{ digest: "sha256:l1", size: 10 }, { digest: "sha256:l2", size: 32 }] });
    const facts = parseManifest(text);
    assert.equal(facts.mediaType, MEDIA.dockerManifest);
    assert.equal(imageSize(facts), 42);
    assert.equal(facts.artifactMediaType, "application/vnd.docker.container.image.v1+json");
    assert.match(manifestDigest(text), /^sha256:[a-f0-9]{64}$/);
    assert.notEqual(manifestDigest(text), manifestDigest(`${text} `));
    const index = parseManifest(JSON.stringify({ schemaVersion: 2, manifests: [{ digest: "sha256:a", size: 1 }] }));
    assert.equal(index.mediaType, MEDIA.ociIndex);
    assert.throws(() => parseManifest("{"), ManifestError);
    assert.throws(() => parseManifest(JSON.stringify({ schemaVersion: 1 })), /schemaVersion/);
    assert.throws(() => parseManifest(text, MEDIA.ociManifest), /does not match/);
  });

  it("tokens: minted, checked, expired, forged", () => {
    const t = mintToken(key, { accountId: "123456789012", region: "us-east-1", principalArn: "arn:aws:iam::123456789012:root", expiresAtMs: 1000 });
    const ok = checkToken(key, t, 999);
    assert.ok(ok.ok && ok.claims.region === "us-east-1");
    assert.deepEqual(checkToken(key, t, 1000), { ok: false, reason: "expired" });
    assert.deepEqual(checkToken(Buffer.alloc(32, 8), t, 0), { ok: false, reason: "invalid" });
    fc.assert(
      fc.property(fc.nat(t.length - 1), fc.string({ minLength: 1, maxLength: 1 }), (i, c) => {
        const forged = t.slice(0, i) + c + t.slice(i + 1);
        fc.pre(forged !== t);
        const r = checkToken(key, forged, 0);
        return !r.ok || (r.claims.accountId === "123456789012" && r.claims.expiresAtMs === 1000);
      }),
    );
    assert.equal(basicToken(`Basic ${Buffer.from(`AWS:${t}`).toString("base64")}`), t);
    assert.equal(basicToken(`Basic ${Buffer.from(`bob:${t}`).toString("base64")}`), undefined);
    assert.equal(basicToken(undefined), undefined);
  });

  it("tag mutability, with exclusion filters", () => {
    assert.equal(tagIsImmutable({ imageTagMutability: "MUTABLE" }, "v1"), false);
    assert.equal(tagIsImmutable({ imageTagMutability: "IMMUTABLE" }, "v1"), true);
    const ex = [{ filterType: "WILDCARD", filter: "latest*" }];
    assert.equal(tagIsImmutable({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", exclusions: ex }, "latest-dev"), false);
    assert.equal(tagIsImmutable({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", exclusions: ex }, "v1"), true);
    assert.equal(tagIsImmutable({ imageTagMutability: "MUTABLE_WITH_EXCLUSION", exclusions: ex }, "latest"), true);
  });

  it("pushes: a tag names one image at most; a moved tag leaves the old image untagged; immutable tags stay", () => {
    const img = (digest: string): Omit<ImageDoc, "tags"> => ({ digest, mediaType: MEDIA.dockerManifest, manifest: "{}", size: 1, pushedAt: 0 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.option(fc.constantFrom("t1", "t2"), { nil: undefined })), { maxLength: 12 }), fc.boolean(), (pushes, immutable) => {
        let images: ImageDoc[] = [];
        const firstHolder = new Map<string, string>();
        for (const [d, tag] of pushes) {
          const out = applyPush(images, img(d), tag, { imageTagMutability: immutable ? "IMMUTABLE" : "MUTABLE" }, false);
          if (out.kind === "refused") {
            assert.ok(immutable && tag && firstHolder.has(tag));
            continue;
          }
          for (const w of out.writes) images = [...images.filter((i) => i.digest !== w.digest), w];
          if (tag && !firstHolder.has(tag)) firstHolder.set(tag, d);
        }
        for (const t of ["t1", "t2"]) assert.ok(images.filter((i) => i.tags.includes(t)).length <= 1);
        if (immutable) for (const [t, d] of firstHolder) assert.ok(images.find((i) => i.digest === d)!.tags.includes(t));
      }),
    );
    const once = applyPush([], img("a"), "t", { imageTagMutability: "MUTABLE" }, true);
    assert.equal(once.kind, "ok");
    const again = applyPush(once.kind === "ok" ? once.writes : [], img("a"), "t", { imageTagMutability: "MUTABLE" }, true);
    assert.deepEqual(again, { kind: "refused", reason: "already-exists" });
  });

  it("the agent's pull plan: ECR hosts of its account and the registry's own host, others untouched", async () => {
    const calls: string[] = [];
    const pulls = new EcrPulls(
      {
        token: async (region) => {
          calls.push(region);
          return { authorizationToken: Buffer.from("AWS:tok").toString("base64"), expiresAt: 1e10, proxyEndpoint: "http://127.0.0.1:4701" };
        },
      },
      "123456789012",
      "us-east-1",
    );
    const p = await pulls.plan("123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/dogs");
    assert.equal(p?.pullRef, "127.0.0.1:4701/dogs:latest");
    assert.deepEqual(p?.tagAs, { repo: "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/dogs", tag: "latest" });
    assert.deepEqual(JSON.parse(Buffer.from(p!.auth, "base64url").toString()), { username: "AWS", password: "tok", serveraddress: "127.0.0.1:4701" });
    assert.equal((await pulls.plan("127.0.0.1:4701/cats:v2"))?.pullRef, "127.0.0.1:4701/cats:v2");
    assert.equal((await pulls.plan("127.0.0.1:4701/cats:v2"))?.tagAs, undefined);
    assert.equal(await pulls.plan("999999999999.dkr.ecr.us-east-1.amazonaws.com/dogs"), undefined);
    assert.equal(await pulls.plan("nginx:alpine"), undefined);
    assert.equal(await pulls.plan("127.0.0.1:5000/other"), undefined);
    assert.deepEqual(calls, ["ap-northeast-2", "us-east-1"], "tokens are cached per Region");
  });
});

describe("ECR lifecycle policies, pure", async () => {
  const { expiredImages, parseLifecyclePolicy } = await import("../../src/core/ecr/lifecycle.js");
  const img = (digest: string, pushedAt: number, tags: string[] = []): ImageDoc => ({ digest, tags, pushedAt, mediaType: MEDIA.dockerManifest, manifest: "{}", size: 1 });
  const rule = (rulePriority: number, selection: object) => ({ rulePriority, selection, action: { type: "expire" } });

  it("refuses what ECR refuses", () => {
    assert.throws(() => parseLifecyclePolicy("{"), /not valid JSON/);
    assert.throws(() => parseLifecyclePolicy(JSON.stringify({ rules: [] })), /non-empty/);
    assert.throws(() => parseLifecyclePolicy(JSON.stringify({ rules: [rule(1, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }), rule(2, { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 })] })), /highest 'rulePriority'/);
    assert.throws(() => parseLifecyclePolicy(JSON.stringify({ rules: [rule(1, { tagStatus: "untagged", countType: "sinceImagePushed", countNumber: 1 })] })), /countUnit/);
    assert.throws(() => parseLifecyclePolicy(JSON.stringify({ rules: [rule(1, { tagStatus: "untagged", countType: "imageCountMoreThan", countNumber: 1 }), rule(1, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 })] })), /more than one rule/);
  });

  it("count and age rules; an image a rule selects is not seen by later rules", () => {
    const day = 86_400;
    const images = [img("a", 1 * day, ["prod-1"]), img("b", 2 * day, ["prod-2"]), img("c", 3 * day, ["prod-3"]), img("d", 1 * day), img("e", 9 * day), img("f", 2 * day, ["dev"])];
    const rules = parseLifecyclePolicy(JSON.stringify({
      rules: [
        rule(1, { tagStatus: "tagged", tagPrefixList: ["prod-"], countType: "imageCountMoreThan", countNumber: 2 }),
        rule(2, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 5 }),
        rule(3, { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 1 }),
      ],
    }));
    assert.deepEqual(expiredImages(images, rules, 10 * day), [
      { digest: "a", rulePriority: 1 },
      { digest: "d", rulePriority: 2 },
    ]);
    // Only `f` is left for the `any` rule (the others were selected earlier): it is the one kept.
    const patterns = parseLifecyclePolicy(JSON.stringify({ rules: [rule(1, { tagStatus: "tagged", tagPatternList: ["prod-*", "*-3"], countType: "imageCountMoreThan", countNumber: 1 })] }));
    assert.deepEqual(expiredImages([...images, img("g", 5 * day, ["prod-x", "v-3"])], patterns, 10 * day), [{ digest: "c", rulePriority: 1 }]);
  });
});
