import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ensureBridgeNetfilter } from "../../src/agent/network/firewall/bridge-netfilter.js";

/** br_netfilter handling against a stand-in sysctl file. */
describe("ensureBridgeNetfilter", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-brnf-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "bridge-nf-call-iptables");

  it("accepts 1 as it is", async () => {
    writeFileSync(path, "1\n");
    assert.deepEqual(await ensureBridgeNetfilter({ sysctlPath: path, loadModule: async () => assert.fail("no modprobe") }), {
      ok: true,
      detail: "bridge-nf-call-iptables is 1",
    });
  });

  it("sets 0 to 1", async () => {
    writeFileSync(path, "0\n");
    const s = await ensureBridgeNetfilter({ sysctlPath: path });
    assert.equal(s.ok, true);
    assert.match(s.detail, /was 0/);
    assert.equal(readFileSync(path, "utf8").trim(), "1");
  });

  it("loads the module when the switch is missing, and says so when that fails", async () => {
    rmSync(path, { force: true });
    let loaded = 0;
    const s = await ensureBridgeNetfilter({ sysctlPath: path, loadModule: async () => void (loaded++, writeFileSync(path, "1\n")) });
    assert.equal(loaded, 1);
    assert.deepEqual(s, { ok: true, detail: "loaded br_netfilter; bridge-nf-call-iptables is 1" });
    rmSync(path, { force: true });
    const failed = await ensureBridgeNetfilter({ sysctlPath: path, loadModule: async () => Promise.reject(new Error("modprobe: not found")) });
    assert.equal(failed.ok, false);
    assert.match(failed.detail, /modprobe failed: modprobe: not found/);
  });
});
