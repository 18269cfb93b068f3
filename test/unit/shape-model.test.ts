import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AwsError } from "../../src/core/errors.js";
import { codePointLength, compileJavaPattern } from "../../src/core/validation/java-pattern.js";
import { MAX_STRING_LENGTH, type ShapeModel, validateInput, type ValidationOptions } from "../../src/edge/shape-model.js";

/** A small model with one of each constraint, so every message can be pinned down exactly. */
const model: ShapeModel = {
  operations: { Op: "Req" },
  shapes: {
    Req: {
      t: "o",
      r: ["name"],
      m: {
        name: "Name",
        count: "Count",
        ratio: "Ratio",
        tags: "Tags",
        kinds: "Kinds",
        kind: "Kind",
        labels: "Labels",
        items: "Items",
        free: "Free",
        big: "Big",
      },
    },
    Name: { t: "s", min: 1, max: 5, p: "[a-z]+" },
    Count: { t: "i", min: 1, max: 10 },
    Ratio: { t: "d", min: 0, max: 1 },
    Tags: { t: "l", m: "Tag", max: 2 },
    Tag: { t: "o", r: ["key"], m: { key: "TagKey", value: "TagValue" } },
    TagKey: { t: "s", min: 1, max: 3 },
    TagValue: { t: "s", max: 4 },
    Kinds: { t: "l", m: "Kind" },
    Kind: { t: "s", e: ["A", "B"] },
    Labels: { t: "m", k: "TagKey", v: "TagValue", min: 1, max: 2 },
    Items: { t: "l", m: "Tag", min: 1 },
    Free: { t: "s" },
    Big: { t: "s" },
  },
};

const run = (input: Record<string, unknown>, options?: ValidationOptions) => validateInput(model, "Op", input, options);

/** The error a call throws (fails the test if it does not throw). */
function errorOf(input: Record<string, unknown>, options?: ValidationOptions): AwsError {
  try {
    run(input, options);
  } catch (e) {
    assert.ok(e instanceof AwsError, String(e));
    return e;
  }
  assert.fail(`accepted ${JSON.stringify(input).slice(0, 200)}`);
}

const one = (text: string) => `1 validation error detected: ${text}`;

describe("shape validation: the model's constraints in AWS's words", () => {
  it("accepts values inside every constraint and drops members the model does not know", () => {
    const input = {
      name: "abc",
      count: 10,
      ratio: 0.5,
      tags: [{ key: "k", value: "vvvv" }],
      kinds: ["A", "B"],
      labels: { a: "x" },
      items: [{ key: "abc" }],
      extra: "dropped",
    };
    const { extra, ...kept } = input;
    assert.equal(extra, "dropped");
    assert.deepEqual(run(input), kept);
  });

  it("a null list member is refused, never handed to the operation (found by test/fuzz.test.ts)", () => {
    const err = errorOf({ name: "abc", kinds: ["A", null] });
    assert.equal(err.message, one("Value null at 'kinds.2.member' failed to satisfy constraint: Member must not be null"));
    assert.equal(errorOf({ name: "abc", tags: [null] }).message, one("Value null at 'tags.1.member' failed to satisfy constraint: Member must not be null"));
  });

  it("string length, pattern (whole value) and enum", () => {
    let e = errorOf({ name: "abcdef" });
    assert.equal(e.code, "InvalidParameterException");
    assert.equal(e.message, one("Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5"));
    e = errorOf({ name: "" });
    assert.equal(
      e.message,
      "2 validation errors detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
    );
    // Java's matches(): "ab c" contains matches of [a-z]+ but is not one.
    assert.equal(errorOf({ name: "ab c" }).message, one("Value 'ab c' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"));
    assert.equal(errorOf({ name: "a", kind: "C" }).message, one("Value 'C' at 'kind' failed to satisfy constraint: Member must satisfy enum value set: [A, B]"));
  });

  it("number ranges", () => {
    assert.equal(errorOf({ name: "a", count: 11 }).message, one("Value '11' at 'count' failed to satisfy constraint: Member must have value less than or equal to 10"));
    assert.equal(errorOf({ name: "a", count: 0 }).message, one("Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1"));
    assert.equal(errorOf({ name: "a", ratio: 1.5 }).message, one("Value '1.5' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1"));
  });

  it("lists: their length, members of structures by path, plain members as a whole", () => {
    const tag = { key: "k" };
    assert.equal(errorOf({ name: "a", tags: [tag, tag, tag] }).message, one("Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 2"));
    assert.equal(errorOf({ name: "a", items: [] }).message, one("Value '[]' at 'items' failed to satisfy constraint: Member must have length greater than or equal to 1"));
    assert.equal(
      errorOf({ name: "a", tags: [tag, { key: "abcd", value: "v" }] }).message,
      one("Value 'abcd' at 'tags.2.member.key' failed to satisfy constraint: Member must have length less than or equal to 3"),
    );
    assert.equal(
      errorOf({ name: "a", kinds: ["A", "C", "D"] }).message,
      one("Value '[A, C, D]' at 'kinds' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [A, B]]"),
    );
  });

  it("maps: their size, and keys / values as a whole with every constraint of their shape", () => {
    assert.equal(errorOf({ name: "a", labels: {} }).message, one("Value '{}' at 'labels' failed to satisfy constraint: Member must have length greater than or equal to 1"));
    assert.equal(
      errorOf({ name: "a", labels: { a: "1", b: "2", c: "3" } }).message,
      one("Value '{a=1, b=2, c=3}' at 'labels' failed to satisfy constraint: Member must have length less than or equal to 2"),
    );
    assert.equal(
      errorOf({ name: "a", labels: { abcd: "x" } }).message,
      one(
        "Value '{abcd=x}' at 'labels' failed to satisfy constraint: Map keys must satisfy constraint: " +
          "[Member must have length less than or equal to 3, Member must have length greater than or equal to 1]",
      ),
    );
    assert.equal(
      errorOf({ name: "a", labels: { a: "xxxxx", b: "yyyyy" } }).message,
      one("Value '{a=xxxxx, b=yyyyy}' at 'labels' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 4]"),
    );
  });

  it("reports every violation of a request, in member order", () => {
    const e = errorOf({ name: "abcdef", count: 99, tags: [{ key: "" }] });
    assert.equal(
      e.message,
      "3 validation errors detected: Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5; " +
        "Value '99' at 'count' failed to satisfy constraint: Member must have value less than or equal to 10; " +
        "Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it("required members: ECS's 'Missing required parameter', or AWS's 'Member must not be null' among the others", () => {
    assert.equal(errorOf({}).message, "Missing required parameter: 'name'.");
    assert.equal(errorOf({ name: "a", tags: [{ key: "k" }, { value: "v" }] }).message, "Missing required parameter: 'tags[1].key'.");
    const notNull: ValidationOptions = { required: "not-null" };
    assert.equal(errorOf({}, notNull).message, one("Value null at 'name' failed to satisfy constraint: Member must not be null"));
    assert.equal(
      errorOf({ count: 11, tags: [{ value: "v" }] }, notNull).message,
      "3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value '11' at 'count' failed to satisfy constraint: Member must have value less than or equal to 10; " +
        "Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null",
    );
  });

  it("lengths count Unicode code points, not UTF-16 units", () => {
    assert.deepEqual(run({ name: "a", tags: [{ key: "k", value: "😀😀😀😀" }] }).tags, [{ key: "k", value: "😀😀😀😀" }]);
    assert.match(errorOf({ name: "a", tags: [{ key: "k", value: "😀😀😀😀😀" }] }).message, /Value '😀😀😀😀😀' at 'tags.1.member.value'.*less than or equal to 4$/);
    assert.equal(codePointLength("a😀\ud800b"), 4, "a lone surrogate counts as one");
  });

  it("wrong JSON types stay SerializationException, before any constraint", () => {
    const e = errorOf({ name: "abcdefgh", tags: [{ key: 7 }] });
    assert.equal(e.code, "SerializationException");
    assert.equal(e.message, "Expected a string at 'tags[0].key', got number.");
    assert.equal(errorOf({ name: "a", count: 1.5 }).code, "SerializationException");
  });

  it("Wharf's own guard bounds strings the model leaves open, unless a service exempts the shape", () => {
    const huge = "x".repeat(MAX_STRING_LENGTH + 1);
    assert.match(errorOf({ name: "a", free: huge }).message, /'free' is 65537 characters long/);
    assert.equal(run({ name: "a", free: huge }, { uncapped: new Set(["Free"]) }).free, huge);
  });

  it("Java patterns: full match, Unicode classes, and the legacy-syntax ones", () => {
    const tagKey = compileJavaPattern("^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$")!;
    assert.ok(tagKey.test("Name: é 日本 1"));
    assert.ok(!tagKey.test("bad!"));
    const legacy = compileJavaPattern("[\\w-_]*")!;
    assert.ok(legacy.test("a-b_c"));
    assert.ok(!legacy.test("a b"));
    assert.ok(!compileJavaPattern("[a-z]+")!.test("ab1"));
  });
});
