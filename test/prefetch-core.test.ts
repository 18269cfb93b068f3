import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { imagesOfTaskDefinition, prefetchFor, prefetchKey, type PrefetchCandidate } from "../src/core/service/prefetch.js";
import { Prefetcher } from "../src/agent/prefetch.js";

const svc = (images: string[], o: Partial<PrefetchCandidate> = {}): PrefetchCandidate => ({ status: "ACTIVE", fargate: false, eligible: true, images, ...o });

describe("warm starts: which images for which instance (src/core/service/prefetch.ts)", () => {
  it("a task definition's images, in order, without repeats or empty names", () => {
    assert.deepEqual(imagesOfTaskDefinition({ containerDefinitions: [{ image: "b" }, { image: "a" }, { image: "b" }, {}] }), ["b", "a"]);
    assert.deepEqual(imagesOfTaskDefinition(undefined), []);
  });

  it("an EC2 instance hears the ACTIVE, eligible, non-Fargate services' images, sorted and deduplicated", () => {
    const out = prefetchFor(
      [
        svc(["web:2", "sidecar:1"]),
        svc(["sidecar:1", "api:1"]),
        svc(["gone:1"], { status: "DRAINING" }),
        svc(["elsewhere:1"], { eligible: false }),
        svc(["fargate:1"], { fargate: true }),
      ],
      { fargatePool: false },
    );
    assert.deepEqual(out, [{ image: "api:1" }, { image: "sidecar:1" }, { image: "web:2" }]);
  });

  it("a Fargate pool host hears only the Fargate services' images", () => {
    assert.deepEqual(prefetchFor([svc(["ec2:1"]), svc(["fargate:1"], { fargate: true })], { fargatePool: true }), [{ image: "fargate:1" }]);
  });

  it("the key moves with what changes the images (task definition, status, launch, constraints), not with other writes", () => {
    const base = { status: "ACTIVE", taskDefinition: "td:1", launchType: "EC2" };
    assert.equal(prefetchKey(base), prefetchKey({ ...base }));
    assert.notEqual(prefetchKey(base), prefetchKey({ ...base, taskDefinition: "td:2" }));
    assert.notEqual(prefetchKey(base), prefetchKey({ ...base, status: "DRAINING" }));
    assert.notEqual(prefetchKey(base), prefetchKey({ ...base, placementConstraints: [{ type: "distinctInstance" }] }));
    assert.equal(prefetchKey(undefined), "");
  });
});

describe("warm starts: the agent's background pulls (src/agent/prefetch.ts)", () => {
  type Pending = { image: string; resolve: () => void; reject: (e: Error) => void };
  const harness = (concurrency = 2) => {
    const pending: Pending[] = [];
    const calls: string[] = [];
    let now = 1_000_000;
    const p = new Prefetcher({
      concurrency,
      now: () => now,
      random: () => 0.5,
      pull: (image) =>
        new Promise<void>((resolve, reject) => {
          calls.push(image);
          pending.push({ image, resolve, reject });
        }),
    });
    const settle = async () => new Promise((r) => setImmediate(r));
    return { p, pending, calls, advance: (ms: number) => (now += ms), settle };
  };

  it("pulls at most `concurrency` at once, each listed image once", async () => {
    const h = harness(2);
    h.p.update(["a", "b", "c"]);
    assert.deepEqual(h.calls, ["a", "b"]);
    h.p.update(["a", "b", "c"]);
    assert.deepEqual(h.calls, ["a", "b"], "a repeated answer starts nothing new");
    h.pending.shift()!.resolve();
    await h.settle();
    assert.deepEqual(h.calls, ["a", "b", "c"]);
    h.pending.splice(0).forEach((x) => x.resolve());
    await h.p.idle();
    assert.deepEqual(h.p.pulled, ["a", "b", "c"]);
    h.p.update(["a", "b", "c"]);
    assert.equal(h.calls.length, 3, "pulled images are not pulled again while listed");
    h.p.close();
  });

  it("a failed pull fails nothing and is retried only after its backoff", async () => {
    const h = harness(1);
    h.p.update(["x"]);
    h.pending.shift()!.reject(new Error("denied"));
    await h.p.idle();
    await h.settle();
    h.p.update(["x"]);
    assert.equal(h.calls.length, 1, "no retry before the backoff");
    h.advance(10_000);
    h.p.update(["x"]);
    assert.equal(h.calls.length, 2, "retried after the backoff");
    h.pending.shift()!.resolve();
    await h.p.idle();
    assert.deepEqual(h.p.pulled, ["x"]);
    h.p.close();
  });

  it("an image that leaves the list and comes back is pulled again", async () => {
    const h = harness(1);
    h.p.update(["x"]);
    h.pending.shift()!.resolve();
    await h.p.idle();
    h.p.update([]);
    h.p.update(["x"]);
    assert.equal(h.calls.length, 2);
    h.pending.shift()!.resolve();
    await h.p.idle();
    h.p.close();
  });
});
