import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { isolatedEnv, runWharf, startWharf, tempDir } from "./helpers/wharf-cli.js";

/**
 * The data directory defaults to a per-user location, so `wharf env` works from any directory;
 * WHARF_DATA_DIR and --data-dir override it — through the real bin/wharf.js.
 */
describe("the data directory", () => {
  const root = tempDir("wharf-datadir-");
  after(() => root.remove());
  const dirs = (name: string) => {
    const d = join(root.dir, name);
    mkdirSync(d, { recursive: true });
    return d;
  };

  it("wharf server keeps its state under $XDG_DATA_HOME/wharf, not the working directory, and wharf env finds it from anywhere", async () => {
    const home = dirs("home1");
    const cwd = dirs("somewhere");
    const elsewhere = dirs("elsewhere");
    const xdg = join(home, "xdg-data");
    const env = isolatedEnv(home, { XDG_DATA_HOME: xdg });
    const server = startWharf(["server", "--host", "127.0.0.1", "--port", "0"], { env, cwd });
    try {
      const [, url, dataDir] = await server.waitForStdout(/Wharf is up at (http:\/\/\S+) \(data in (\S+),/);
      assert.equal(dataDir, join(xdg, "wharf"));
      assert.ok(existsSync(join(xdg, "wharf", "wharf.db")));
      assert.deepEqual(readdirSync(cwd), [], "nothing is written to the working directory");
      const creds = JSON.parse(readFileSync(join(xdg, "wharf", "credentials.json"), "utf8"));
      const port = new URL(url!).port;
      const r = await runWharf(["env", "--port", port], { env, cwd: elsewhere });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^export AWS_ENDPOINT_URL=http://127.0.0.1:${port}$`, "m"));
      assert.match(r.stdout, new RegExp(`^export AWS_ACCESS_KEY_ID=${creds.accessKeyId}$`, "m"));
      assert.match(r.stdout, new RegExp(`^export AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey.replace(/[+/]/g, "\\$&")}$`, "m"));
    } finally {
      await server.stop();
    }
  });

  it("without XDG_DATA_HOME it is ~/.local/share/wharf", async () => {
    const home = dirs("home2");
    const env = isolatedEnv(home);
    delete env.XDG_DATA_HOME;
    const dir = join(home, ".local", "share", "wharf");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "credentials.json"), JSON.stringify({ accessKeyId: "AKIAHOMEDEFAULT00000", secretAccessKey: "s".repeat(40) }));
    const r = await runWharf(["env"], { env, cwd: dirs("cwd2") });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^export AWS_ACCESS_KEY_ID=AKIAHOMEDEFAULT00000$/m);
  });

  it("WHARF_DATA_DIR overrides the default, and --data-dir overrides both", async () => {
    const home = dirs("home3");
    const viaEnv = dirs("via-env");
    const viaFlag = dirs("via-flag");
    writeFileSync(join(viaEnv, "credentials.json"), JSON.stringify({ accessKeyId: "AKIAVIAENV0000000000", secretAccessKey: "e".repeat(40) }));
    writeFileSync(join(viaFlag, "credentials.json"), JSON.stringify({ accessKeyId: "AKIAVIAFLAG000000000", secretAccessKey: "f".repeat(40) }));
    const env = isolatedEnv(home, { WHARF_DATA_DIR: viaEnv });
    const fromEnv = await runWharf(["env"], { env });
    assert.match(fromEnv.stdout, /AWS_ACCESS_KEY_ID=AKIAVIAENV0000000000/);
    const fromFlag = await runWharf(["env", "--data-dir", viaFlag], { env });
    assert.match(fromFlag.stdout, /AWS_ACCESS_KEY_ID=AKIAVIAFLAG000000000/);
  });

  it("says where it looked when there is no server state yet", async () => {
    const home = dirs("home4");
    const r = await runWharf(["env"], { env: isolatedEnv(home) });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, new RegExp(`^wharf env: no credentials in ${join(home, ".local", "share", "wharf")} yet: start Wharf first with 'wharf up'`));
  });
});
