import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers/wharf-cli.js";

/**
 * The Node.js version is stated once (package.json "engines") and checked the same way, with
 * the same message, by bin/wharf.js, scripts/up.sh and scripts/test.sh (bin/check-node.cjs).
 */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const check = createRequire(import.meta.url)(join(ROOT, "bin", "check-node.cjs")) as {
  nodeVersionProblem(actual: string, engines: string): string | null;
  requiredVersion(engines: string): string;
};

describe("the Node.js version check", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };

  it("reads the one requirement, package.json engines", () => {
    assert.equal(check.requiredVersion(pkg.engines.node), pkg.engines.node.replace(/^>=\s*/, ""));
    assert.throws(() => check.requiredVersion("^20"), /engines\.node must read '>=X\.Y\.Z'/);
  });

  it("compares major, minor and patch", () => {
    assert.equal(check.nodeVersionProblem("20.18.0", ">=20.18"), null);
    assert.equal(check.nodeVersionProblem("v22.1.0", ">=20.18"), null);
    assert.equal(check.nodeVersionProblem("20.20.2", ">=20.18.1"), null);
    assert.notEqual(check.nodeVersionProblem("20.17.9", ">=20.18"), null);
    assert.notEqual(check.nodeVersionProblem("18.19.0", ">=20.18"), null);
    assert.equal(
      check.nodeVersionProblem("18.19.0", ">=20.18"),
      'Wharf needs Node.js 20.18 or newer (package.json "engines": ">=20.18"); this is Node.js 18.19.0. ' +
        "Install Node.js 20 (e.g. from https://nodejs.org or your distribution's nodejs package) and run it again.",
    );
  });

  it("this checkout's Node.js passes it", () => {
    assert.equal(check.nodeVersionProblem(process.versions.node, pkg.engines.node), null);
  });

  describe("bin/wharf.js, scripts/up.sh and scripts/test.sh refuse a too-old Node.js with the same message", () => {
    // A copy of the checkout's entry points beside a package.json asking for a Node.js that does not exist yet.
    const tmp = tempDir("wharf-node-check-");
    after(() => tmp.remove());
    for (const f of ["bin/wharf.js", "bin/check-node.cjs", "scripts/check-node.sh", "scripts/up.sh", "scripts/test.sh"]) {
      mkdirSync(join(tmp.dir, f, ".."), { recursive: true });
      copyFileSync(join(ROOT, f), join(tmp.dir, f));
    }
    writeFileSync(join(tmp.dir, "package.json"), JSON.stringify({ type: "module", engines: { node: ">=99.1" } }));
    const expected = `wharf: Wharf needs Node.js 99.1 or newer (package.json "engines": ">=99.1"); this is Node.js ${process.versions.node}. Install Node.js 99 (e.g. from https://nodejs.org or your distribution's nodejs package) and run it again.\n`;

    for (const [what, cmd, args] of [
      ["bin/wharf.js", process.execPath, [join(tmp.dir, "bin", "wharf.js"), "--help"]],
      ["scripts/up.sh", "bash", [join(tmp.dir, "scripts", "up.sh")]],
      ["scripts/test.sh", "bash", [join(tmp.dir, "scripts", "test.sh")]],
    ] as const) {
      it(what, () => {
        const r = spawnSync(cmd, args, { cwd: tmp.dir, encoding: "utf8" });
        assert.equal(r.status, 1, r.stderr);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, expected);
      });
    }
  });
});
