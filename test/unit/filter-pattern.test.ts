import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { matchesFilter, parseFilterPattern } from "../../src/core/filter-pattern.js";
import { MAX_BATCH_BYTES, planBatch, splitIntoBatches } from "../../src/core/log-batch.js";

const m = (pattern: string, message: string) => matchesFilter(parseFilterPattern(pattern), message);

describe("CloudWatch Logs filter patterns", () => {
  it("matches everything when empty", () => {
    assert.equal(m("", "anything"), true);
    assert.equal(m("   ", "anything"), true);
    assert.equal(m('""', "anything"), true);
  });

  it("requires every plain term, case-sensitively, as substrings", () => {
    assert.equal(m("ERROR", "2024 ERROR disk full"), true);
    assert.equal(m("ERROR", "2024 error disk full"), false);
    assert.equal(m("ERROR disk", "2024 ERROR disk full"), true);
    assert.equal(m("ERROR memory", "2024 ERROR disk full"), false);
    assert.equal(m("ERR", "[ERROR]"), true);
  });

  it("treats a quoted phrase as one term, spaces and escapes included", () => {
    assert.equal(m('"disk full"', "ERROR disk full"), true);
    assert.equal(m('"full disk"', "ERROR disk full"), false);
    assert.equal(m('ERROR "a b"', "ERROR x a b"), true);
    assert.equal(m('"say \\"hi\\""', 'they say "hi"'), true);
    assert.deepEqual(parseFilterPattern('"a b" c'), { kind: "terms", all: ["a b", "c"], any: [], none: [] });
  });

  it("matches any of the ?terms and excludes -terms", () => {
    assert.equal(m("?ERROR ?WARN", "WARN low disk"), true);
    assert.equal(m("?ERROR ?WARN", "INFO ok"), false);
    assert.equal(m('?"not found" ?timeout', "GET /x not found"), true);
    assert.equal(m("ERROR -retry", "ERROR failed, will retry"), false);
    assert.equal(m("ERROR -retry", "ERROR failed for good"), true);
    assert.equal(m("-DEBUG", "DEBUG noise"), false);
    assert.equal(m("-DEBUG", "INFO signal"), true);
    assert.equal(m("a - b", "a - b"), true, "a lone dash is a term");
  });

  it("supports %regex% and refuses JSON / space-delimited patterns clearly", () => {
    assert.equal(m("%^[hc]at%", "hat trick"), true);
    assert.equal(m("%^[hc]at%", "the cat"), false);
    assert.throws(() => parseFilterPattern("{ $.level = \"ERROR\" }"), { name: "InvalidParameterException" });
    assert.throws(() => parseFilterPattern("[ip, user, ...]"), { name: "InvalidParameterException" });
    assert.throws(() => parseFilterPattern('"unterminated'), { name: "InvalidParameterException" });
  });

  it("agrees with a reference model on random terms and messages (property)", () => {
    const word = fc.stringMatching(/^[a-cA-C]{1,3}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 3 }), fc.array(word, { maxLength: 8 }), (terms, words) => {
        const message = words.join(" ");
        assert.equal(m(terms.join(" "), message), terms.every((t) => message.includes(t)));
        assert.equal(m(terms.map((t) => `?${t}`).join(" "), message), terms.some((t) => message.includes(t)));
        assert.equal(m(terms.map((t) => `-${t}`).join(" "), message), !terms.some((t) => message.includes(t)));
      }),
    );
  });
});

describe("PutLogEvents batch rules", () => {
  const now = 1_700_000_000_000;
  it("classifies too old, expired and too new events by index", () => {
    const plan = planBatch(
      [
        { timestamp: now - 15 * 86_400_000, message: "old" },
        { timestamp: now - 3 * 86_400_000, message: "expired" },
        { timestamp: now, message: "ok" },
        { timestamp: now + 3 * 3600_000, message: "new" },
      ],
      now,
      1,
    );
    assert.deepEqual(plan.accepted.map((e) => e.message), ["ok"]);
    assert.deepEqual(plan.rejected, { tooOldLogEventEndIndex: 0, expiredLogEventEndIndex: 1, tooNewLogEventStartIndex: 3 });
  });

  it("splits any list of lines into batches planBatch accepts", () => {
    const lines = Array.from({ length: 25_000 }, (_, i) => ({ timestamp: now - (i % 3) * 1000, message: `line ${i} ${"z".repeat(i % 200)}` }));
    lines.push({ timestamp: now, message: "big".repeat(400_000) });
    const batches = splitIntoBatches(lines);
    assert.ok(batches.length >= 3);
    let total = 0;
    for (const b of batches) {
      assert.ok(b.length <= 10_000);
      assert.ok(b.reduce((s, e) => s + Buffer.byteLength(e.message) + 26, 0) <= MAX_BATCH_BYTES);
      assert.equal(planBatch(b, now, null).accepted.length, b.length);
      total += b.length;
    }
    assert.equal(total, 25_000 + 2, "the 1.2 MB line became two events");
    // Stable: lines with the same timestamp keep their order.
    const sameTs = batches.flat().filter((e) => e.timestamp === now && e.message.startsWith("line "));
    const idx = sameTs.map((e) => Number(e.message.split(" ")[1]));
    assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
  });
});
