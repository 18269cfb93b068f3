import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { it } from "node:test";

it("src/ has no runtime import cycles (scripts/check-cycles.mjs)", () => {
  const out = execFileSync(process.execPath, ["scripts/check-cycles.mjs", "src"], { encoding: "utf8" });
  assert.match(out, /^no import cycles among \d+ files/);
});
