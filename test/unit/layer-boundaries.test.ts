import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";

it("src/ keeps its layer boundaries (scripts/check-boundaries.mjs)", () => {
  const out = execFileSync(process.execPath, ["scripts/check-boundaries.mjs", "src"], { encoding: "utf8" });
  assert.match(out, /^no layer crossings among \d+ files/);
});

it("the check sees a crossing: controllers → api, cli → agent internals, core → store", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-layers-"));
  try {
    for (const d of ["api/ecs", "controllers", "cli", "agent/task-engine", "core", "store"]) mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, "api/ecs/deps.ts"), "export interface EcsDeps {}\n");
    writeFileSync(join(dir, "agent/task-engine/reporter.ts"), "export const x = 1;\n");
    writeFileSync(join(dir, "store/store.ts"), "export interface Store {}\n");
    writeFileSync(join(dir, "controllers/c.ts"), 'import type { EcsDeps } from "../api/ecs/deps.js";\n');
    writeFileSync(join(dir, "cli/x.ts"), 'import { x } from "../agent/task-engine/reporter.js";\n');
    writeFileSync(join(dir, "core/y.ts"), 'import type { Store } from "../store/store.js";\n');
    const r = spawnSync(process.execPath, ["scripts/check-boundaries.mjs", dir], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /3 layer crossing/);
    assert.match(r.stderr, /controllers\/c\.ts imports api\/ecs\/deps\.ts \(controllers → api\)/);
    assert.match(r.stderr, /cli\/x\.ts imports agent\/task-engine\/reporter\.ts/);
    assert.match(r.stderr, /core\/y\.ts imports store\/store\.ts/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
