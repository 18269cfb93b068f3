import { CreateClusterCommand, ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signSigV4 } from "../src/edge/sigv4.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const TARGET = "AmazonEC2ContainerServiceV20141113.CreateCluster";

describe("every request is authenticated before anything is written", () => {
  let w: TestWharf;
  before(async () => (w = await startTestWharf()));
  after(async () => w.close());

  const clusterCount = async () => (await w.ecs.send(new ListClustersCommand({}))).clusterArns?.length ?? 0;
  const client = (over: Partial<ConstructorParameters<typeof ECSClient>[0]>) =>
    new ECSClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1, ...over });

  /** Sends a raw CreateCluster with the given headers; returns status, headers and parsed body. */
  async function raw(headers: Record<string, string>, body: string) {
    const res = await fetch(w.server.url + "/", { method: "POST", headers, body });
    return { status: res.status, headers: res.headers, body: (await res.json()) as { __type: string; message: string } };
  }

  function signed(body: string, opts: { secret?: string; keyId?: string; nowMs?: number } = {}) {
    const url = new URL(w.server.url);
    return signSigV4({
      method: "POST",
      url: "/",
      host: url.host,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET },
      body,
      accessKeyId: opts.keyId ?? w.server.credentials.accessKeyId,
      secretAccessKey: opts.secret ?? w.server.credentials.secretAccessKey,
      region: "us-east-1",
      service: "ecs",
      nowMs: opts.nowMs,
    });
  }

  it("accepts a correctly signed request (control)", async () => {
    const before = await clusterCount();
    const body = JSON.stringify({ clusterName: "auth-ok" });
    const res = await fetch(w.server.url + "/", { method: "POST", headers: signed(body), body });
    assert.equal(res.status, 200);
    assert.equal(await clusterCount(), before + 1);
  });

  it("a wrong secret → InvalidSignatureException, nothing written", async () => {
    const before = await clusterCount();
    const bad = client({ credentials: { accessKeyId: w.server.credentials.accessKeyId, secretAccessKey: "x".repeat(40) } });
    await assert.rejects(bad.send(new CreateClusterCommand({ clusterName: "auth-wrong-secret" })), {
      name: "InvalidSignatureException",
    });
    assert.equal(await clusterCount(), before);
  });

  it("an unknown access key → UnrecognizedClientException, nothing written", async () => {
    const before = await clusterCount();
    const bad = client({ credentials: { accessKeyId: "AKIAUNKNOWNUNKNOWN00", secretAccessKey: "whatever" } });
    await assert.rejects(bad.send(new CreateClusterCommand({ clusterName: "auth-unknown-key" })), {
      name: "UnrecognizedClientException",
    });
    const body = JSON.stringify({ clusterName: "auth-unknown-key-raw" });
    const r = await raw(signed(body, { keyId: "AKIAUNKNOWNUNKNOWN01" }), body);
    assert.equal(r.body.__type, "UnrecognizedClientException");
    assert.equal(await clusterCount(), before);
  });

  it("a date 20 minutes off → InvalidSignatureException (signature expired), nothing written", async () => {
    const before = await clusterCount();
    const body = JSON.stringify({ clusterName: "auth-stale" });
    for (const skew of [-20, 20]) {
      const r = await raw(signed(body, { nowMs: Date.now() + skew * 60_000 }), body);
      assert.equal(r.status, 400);
      assert.equal(r.body.__type, "InvalidSignatureException");
      assert.match(r.body.message, /Signature expired/);
      assert.equal(r.headers.get("x-amzn-errortype"), "InvalidSignatureException");
    }
    const skewed = client({ systemClockOffset: -20 * 60_000 });
    await assert.rejects(skewed.send(new CreateClusterCommand({ clusterName: "auth-stale-sdk" })), {
      name: "InvalidSignatureException",
    });
    assert.equal(await clusterCount(), before);
  });

  it("no Authorization header → MissingAuthenticationTokenException, nothing written", async () => {
    const before = await clusterCount();
    const body = JSON.stringify({ clusterName: "auth-none" });
    const r = await raw({ "content-type": "application/x-amz-json-1.1", "x-amz-target": TARGET }, body);
    assert.equal(r.body.__type, "MissingAuthenticationTokenException");
    assert.ok(r.headers.get("x-amzn-requestid"));
    assert.equal(await clusterCount(), before);
  });

  it("a body swapped under a valid signature → InvalidSignatureException, nothing written", async () => {
    const before = await clusterCount();
    const headers = signed(JSON.stringify({ clusterName: "auth-original" }));
    const r = await raw(headers, JSON.stringify({ clusterName: "auth-swapped" }));
    assert.equal(r.body.__type, "InvalidSignatureException");
    assert.equal(await clusterCount(), before);
  });

  it("the aws CLI with a wrong secret is refused too", async () => {
    const before = await clusterCount();
    const { execFile } = await import("node:child_process");
    const stderr = await new Promise<string>((resolve) =>
      execFile(
        "aws",
        ["ecs", "create-cluster", "--cluster-name", "auth-cli"],
        { env: { ...w.awsEnv, AWS_SECRET_ACCESS_KEY: "definitely-wrong" } },
        (_err, _out, err) => resolve(String(err)),
      ),
    );
    assert.match(stderr, /InvalidSignatureException/);
    assert.equal(await clusterCount(), before);
  });
});
