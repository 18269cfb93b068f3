import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compileHaproxyConfig } from "../../src/core/lb/haproxy-config.js";
import { backendName } from "../../src/core/lb/haproxy-names.js";
import { FORWARD_BUCKETS } from "../../src/core/lb/haproxy-rules.js";
import { desiredState, httpListener, target, targetGroup } from "./lb-fixtures.js";

/** Forwards through a runtime map (haproxy-rules.ts ForwardMap): traffic moves without a reload. */
const blue = targetGroup("blue", [target("10.0.0.1", 8080)]);
const green = targetGroup("green", [target("10.0.0.2", 8080)]);
const mapPath = "/run/wharf/forwards.map";
const opts = { adminSocket: "/run/wharf/admin.sock", forwardMapPath: mapPath };
const weighted = (b: number, g: number) =>
  httpListener(80, blue, { defaultAction: { type: "forward", targetGroups: [{ arn: blue.arn, weight: b }, { arn: green.arn, weight: g }] } });
const share = (entries: [string, string][], be: string) => entries.filter(([, v]) => v === be).length / FORWARD_BUCKETS;

describe("haproxy forwards through a runtime map", () => {
  it("moving a listener between served target groups, or changing weights, keeps the structure", () => {
    const a = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, blue)], [blue, green]), opts);
    const b = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, green)], [blue, green]), opts);
    const c = compileHaproxyConfig(desiredState("127.0.3.4", [weighted(9, 1)], [blue, green]), opts);
    assert.equal(a.structure, b.structure, "modify-listener to another served group: no reload");
    assert.equal(a.structure, c.structure, "weights: no reload");
    assert.equal(share(a.forwardMap!, backendName(blue)), 1);
    assert.equal(share(b.forwardMap!, backendName(green)), 1);
    assert.equal(share(c.forwardMap!, backendName(green)), 0.1, "a 10 % canary is 10 of 100 buckets");
    assert.equal(share(compileHaproxyConfig(desiredState("127.0.3.4", [weighted(0, 5)], [blue, green]), opts).forwardMap!, backendName(green)), 1, "weight 0 takes none");
    assert.match(a.text, /http-request set-var\(txn\.w\) rand\(100\)/);
    assert.match(a.text, new RegExp(`set-var\\(txn\\.be\\) str\\([^)]+/0/\\),concat\\(,txn\\.w,\\),map\\(${mapPath.replaceAll("/", "\\/").replaceAll(".", "\\.")}\\)`));
  });

  it("without the option forwards stay literal lines (no map)", () => {
    const out = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, blue)], [blue, green]), { adminSocket: "/run/wharf/admin.sock" });
    assert.equal(out.forwardMap, undefined);
    assert.match(out.text, new RegExp(`set-var\\(txn\\.be\\) str\\(${backendName(blue)}\\)`));
  });

  it("HAProxy accepts the config with its map (haproxy -c)", (t) => {
    try {
      execFileSync("haproxy", ["-v"], { stdio: "pipe" });
    } catch {
      t.skip("haproxy is not installed");
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "wharf-fwdmap-"));
    try {
      const path = join(dir, "forwards.map");
      const out = compileHaproxyConfig(desiredState("127.0.3.4", [weighted(3, 1)], [blue, green]), { adminSocket: join(dir, "admin.sock"), forwardMapPath: path });
      writeFileSync(path, out.forwardMap!.map(([k, v]) => `${k} ${v}\n`).join(""));
      writeFileSync(join(dir, "haproxy.cfg"), out.text);
      execFileSync("haproxy", ["-c", "-q", "-f", join(dir, "haproxy.cfg")], { stdio: "pipe" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
