import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ecsModel, ecsModelSource } from "../../src/api/ecs/model.generated.js";
import { logsModel, logsModelSource } from "../../src/api/logs/model.generated.js";
import { LOGS_VALIDATION } from "../../src/api/logs/validation.js";
import { AwsError } from "../../src/core/errors.js";
import { codePointLength, compileJavaPattern } from "../../src/core/validation/java-pattern.js";
import { type Shape, type ShapeModel, validateInput, type ValidationOptions } from "../../src/edge/shape-model.js";

const MODELS: Array<[string, ShapeModel, ValidationOptions]> = [
  ["ECS", ecsModel, {}],
  ["CloudWatch Logs", logsModel, LOGS_VALIDATION],
];

/** A model with one operation whose input is `{ x: <shape> }`, to check any shape of a real model alone. */
const probe = (m: ShapeModel, shape: string): ShapeModel => ({
  operations: { Probe: "ProbeInput" },
  shapes: { ...m.shapes, ProbeInput: { t: "o", m: { x: shape } } },
});

const lengthOk = (s: Shape, n: number) => (s.min === undefined || n >= s.min) && (s.max === undefined || n <= s.max);

/**
 * Values that satisfy a shape's constraints, built from the model alone (patterns through
 * fast-check's stringMatching). undefined when a pattern is beyond what it can generate.
 */
function valid(m: ShapeModel, name: string, depth = 0): fc.Arbitrary<unknown> | undefined {
  const s = m.shapes[name]!;
  switch (s.t) {
    case "o": {
      const members: Record<string, fc.Arbitrary<unknown>> = {};
      const required = s.r ?? [];
      for (const [k, v] of Object.entries(s.m as Record<string, string>)) {
        if (depth > 3 && !required.includes(k)) continue;
        const a = valid(m, v, depth + 1);
        if (a) members[k] = a;
        else if (required.includes(k)) return undefined;
      }
      return fc.record(members, { requiredKeys: required.filter((k) => k in members), noNullPrototype: true });
    }
    case "l": {
      const item = valid(m, s.m as string, depth + 1);
      if (!item) return s.min ? undefined : fc.constant([]);
      const minLength = s.min ?? 0;
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(s.max ?? 3, minLength + 2)) });
    }
    case "m": {
      const key = valid(m, s.k!, depth + 1) as fc.Arbitrary<string> | undefined;
      const value = valid(m, s.v!, depth + 1);
      if (!key || !value) return s.min ? undefined : fc.constant({});
      const minKeys = s.min ?? 0;
      return fc.dictionary(key, value, { minKeys, maxKeys: Math.max(minKeys, Math.min(s.max ?? 3, minKeys + 2)), noNullPrototype: true });
    }
    case "s": {
      if (s.e) return fc.constantFrom(...s.e);
      if (s.p !== undefined) {
        const re = compileJavaPattern(s.p)!;
        try {
          return fc.stringMatching(re).filter((x) => lengthOk(s, codePointLength(x)));
        } catch {
          return undefined;
        }
      }
      const minLength = s.min ?? 0;
      return fc.string({ unit: "binary", minLength, maxLength: Math.max(minLength, Math.min(s.max ?? 20, minLength + 20)) });
    }
    case "i":
      return fc.integer({ min: s.min ?? -(2 ** 31), max: s.max ?? 2 ** 31 - 1 });
    case "d":
      return fc.double({ min: s.min ?? -1e9, max: s.max ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case "b":
      return fc.boolean();
    case "t":
      return fc.integer({ min: 0, max: 2 ** 31 });
    default:
      return fc.constant(null);
  }
}

const rejects = (f: () => unknown, message: string) =>
  assert.throws(f, (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterException" && e.message === message, message);

describe("shape validation against the real ECS and CloudWatch Logs models", () => {
  it("every pattern of both models compiles to a full-match RegExp", () => {
    for (const [title, m] of MODELS) {
      const patterns = Object.values(m.shapes).filter((s) => s.p !== undefined);
      assert.ok(patterns.length > 0, title);
      for (const s of patterns) assert.ok(compileJavaPattern(s.p!), `${title}: ${s.p}`);
    }
  });

  it("property: a request built inside every constraint of an operation's input is accepted as is", () => {
    for (const [title, m, options] of MODELS) {
      let checked = 0;
      for (const [op, input] of Object.entries(m.operations)) {
        if (!input) continue;
        const arb = valid(m, input);
        if (!arb) continue;
        checked++;
        fc.assert(
          fc.property(arb, (value) => {
            const v = value as Record<string, unknown>;
            assert.deepEqual(validateInput(m, op, v, options), v, `${title} ${op}`);
          }),
          { numRuns: 15, seed: 42 },
        );
      }
      assert.ok(checked > 0.9 * Object.keys(m.operations).length, `${title}: only ${checked} operations generated`);
    }
  });

  it("every bounded string, list, map and number: the bound passes, one past it fails with AWS's text", () => {
    for (const [title, m, options] of MODELS) {
      let n = 0;
      for (const [name, s] of Object.entries(m.shapes)) {
        const check = (v: unknown) => validateInput(probe(m, name), "Probe", { x: v }, options);
        const fail = (v: unknown, shown: string | null, constraint: string) =>
          rejects(() => check(v), `1 validation error detected: Value ${shown === null ? "" : `'${shown}' `}at 'x' failed to satisfy constraint: ${constraint}`);
        if (s.t === "i" || s.t === "d") {
          if (s.max !== undefined && s.max < Number.MAX_SAFE_INTEGER) {
            check(s.max);
            fail(s.max + 1, String(s.max + 1), `Member must have value less than or equal to ${s.max}`);
            n++;
          }
          if (s.min !== undefined) {
            check(s.min);
            fail(s.min - 1, String(s.min - 1), `Member must have value greater than or equal to ${s.min}`);
            n++;
          }
        } else if (s.t === "s" && !s.e && s.p === undefined && s.max !== undefined) {
          check("a".repeat(s.max));
          fail("a".repeat(s.max + 1), "a".repeat(s.max + 1), `Member must have length less than or equal to ${s.max}`);
          n++;
        } else if (s.t === "l" && s.max !== undefined) {
          const item = valid(m, s.m as string);
          if (!item) continue;
          const items = fc.sample(item, { numRuns: s.max + 1, seed: 7 });
          check(items.slice(0, s.max));
          const shown = items.every((x) => typeof x !== "object") ? `[${items.join(", ")}]` : null;
          fail(items, shown, `Member must have length less than or equal to ${s.max}`);
          n++;
        } else if (s.t === "m" && s.min !== undefined && s.min > 0) {
          fail({}, "{}", `Member must have length greater than or equal to ${s.min}`);
          n++;
        }
      }
      assert.ok(n > 20, `${title}: ${n} bounds checked`);
    }
  });

  it("property: a string of any length is accepted exactly when its code points fit the bounds", () => {
    const shapeOf = (min: number, max: number): ShapeModel => ({ operations: { Op: "In" }, shapes: { In: { t: "o", m: { s: "S" } }, S: { t: "s", min, max } } });
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), fc.nat(15), fc.nat(15), (s, a, b) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const n = [...s].length;
        let ok = true;
        try {
          validateInput(shapeOf(min, max), "Op", { s });
        } catch (e) {
          ok = false;
          assert.ok(e instanceof AwsError && e.code === "InvalidParameterException");
          assert.match(e.message, n > max ? /less than or equal to/ : /greater than or equal to/);
        }
        assert.equal(ok, n >= min && n <= max);
      }),
      { numRuns: 500, seed: 1 },
    );
  });

  it("the models record the botocore release they came from, and regenerate to the same bytes", (t) => {
    assert.match(ecsModelSource.botocore, /^\d+\.\d+\.\d+$/);
    assert.equal(logsModelSource.botocore, ecsModelSource.botocore);
    let installed: string;
    try {
      installed = execFileSync("python3", ["-c", "import botocore; print(botocore.__version__)"], { encoding: "utf8" }).trim();
    } catch {
      return t.skip("python3 with botocore is not installed here");
    }
    if (installed !== ecsModelSource.botocore) return t.skip(`botocore ${installed} installed, the models are from ${ecsModelSource.botocore}`);
    execFileSync("python3", ["scripts/gen-models.py", "--check"], { encoding: "utf8" });
  });
});
