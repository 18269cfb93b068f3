import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { COMMANDS } from "../src/cli/commands.js";
import { isolatedEnv, runWharf, tempDir } from "./helpers/wharf-cli.js";

/**
 * Every `wharf` subcommand has its own --help listing only its own flags, and refuses a flag
 * it does not take with an error naming its --help — through the real bin/wharf.js.
 */

const home = tempDir("wharf-help-");
after(() => home.remove());
const env = isolatedEnv(home.dir);

/** The `--flag` names a help text mentions anywhere (option lines and prose alike). */
const flagsIn = (text: string) => new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));

const names = Object.keys(COMMANDS);
const allFlags = new Set(names.flatMap((n) => Object.keys(COMMANDS[n]!.options)));

describe("wharf <command> --help", () => {
  it("wharf --help lists every subcommand", async () => {
    const r = await runWharf(["--help"], { env });
    assert.equal(r.code, 0, r.stderr);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z-]+) {2,}/gm)].map((m) => m[1]!).filter((n) => n !== "help");
    assert.deepEqual(listed, names);
  });

  for (const name of names) {
    const cmd = COMMANDS[name]!;
    it(`wharf ${name} --help lists exactly its own flags`, async () => {
      const [long, short] = await Promise.all([runWharf([name, "--help"], { env }), runWharf([name, "-h"], { env })]);
      assert.equal(long.code, 0, long.stderr);
      assert.equal(long.stderr, "");
      assert.equal(short.stdout, long.stdout);
      assert.match(long.stdout, new RegExp(`^wharf ${name} — `));
      assert.deepEqual([...flagsIn(long.stdout)].sort(), Object.keys(cmd.options).sort());
      for (const [flag, o] of Object.entries(cmd.options)) {
        if (o.short) assert.match(long.stdout, new RegExp(`--${flag}, -${o.short}\\b`), `-${o.short} is shown with --${flag}`);
      }
    });

    it(`wharf ${name} refuses flags it does not take, naming its --help`, async () => {
      const foreign = [...allFlags].filter((f) => !(f in cmd.options));
      // An unknown flag, and (where there is one) another subcommand's flag.
      for (const flag of ["no-such-flag", ...foreign.slice(0, 2)]) {
        const r = await runWharf([name, `--${flag}`, "x"], { env });
        assert.equal(r.code, 2, `${name} --${flag}: ${r.stderr}`);
        assert.equal(r.stdout, "");
        assert.equal(r.stderr, `wharf ${name}: unknown option '--${flag}'. Run 'wharf ${name} --help' to see its options.\n`);
      }
    });
  }

  it("wharf server takes none of the agent's or up's agent flags", async () => {
    for (const flag of ["--simulate", "--no-agent", "--host-ip", "--cluster"]) {
      const r = await runWharf(["server", flag, "1"], { env });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /Run 'wharf server --help'/);
    }
  });

  it("a flag without its value, or with one it does not take, is a usage error", async () => {
    const missing = await runWharf(["env", "--port"], { env });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, "wharf env: option '--port' needs a value. Run 'wharf env --help' to see its options.\n");
    const extra = await runWharf(["up", "--no-agent=yes"], { env });
    assert.equal(extra.code, 2);
    assert.equal(extra.stderr, "wharf up: option '--no-agent' takes no value. Run 'wharf up --help' to see its options.\n");
  });

  it("an unknown subcommand names wharf --help", async () => {
    const r = await runWharf(["frobnicate"], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'\. Run 'wharf --help'/);
  });
});
