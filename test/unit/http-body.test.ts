import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { readLimitedBody } from "../../src/core/http-body.js";

const feed = (chunks: string[]) => {
  const s = new PassThrough();
  setImmediate(() => {
    for (const c of chunks) s.write(c);
    s.end();
  });
  return s;
};

test("a body within the limit is answered whole", async () => {
  assert.equal((await readLimitedBody(feed(["ab", "cd"]), 4))?.toString(), "abcd");
});

test("a body over the limit is undefined; within the drain limit the stream is read to its end", async () => {
  const s = feed(["abc", "def"]);
  assert.equal(await readLimitedBody(s, 4, 100), undefined);
  assert.equal(s.readableEnded, true);
});

test("past the drain limit the stream is destroyed", async () => {
  const s = feed(["abc", "def", "ghi"]);
  assert.equal(await readLimitedBody(s, 2, 5), undefined);
  assert.equal(s.destroyed, true);
  assert.equal(s.readableEnded, false);
});
