import assert from "node:assert/strict";
import { it } from "node:test";
import { backoffDelay, sleep } from "../../src/core/backoff.js";

it("backoffDelay doubles from initialMs up to maxMs; jitter 0 is exact", () => {
  const exact = [0, 1, 2, 3, 4, 5, 60].map((a) => backoffDelay(a, { initialMs: 100, maxMs: 1000, jitter: 0 }));
  assert.deepEqual(exact, [100, 200, 400, 800, 1000, 1000, 1000]);
});

it("backoffDelay's jitter spans ±20 % by default, drawn from the injected random source", () => {
  assert.equal(backoffDelay(2, { initialMs: 250 }, () => 0), 800); // 1000 × 0.8
  assert.equal(backoffDelay(2, { initialMs: 250 }, () => 0.5), 1000);
  assert.equal(backoffDelay(2, { initialMs: 250 }, () => 0.999999), 1200);
  assert.equal(backoffDelay(0, { initialMs: 1000, jitter: 0.5 }, () => 0), 500);
});

it("sleep resolves at once on an aborted signal", async () => {
  const c = new AbortController();
  c.abort();
  await sleep(60_000, c.signal);
});
