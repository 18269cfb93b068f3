import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blocksScript, commandBlocks, lastBlockLine } from "../helpers/readme-blocks.js";

describe("README command blocks", () => {
  const md = [
    "# Title",
    "<!-- readme-test: skip (starts Wharf) -->",
    "```sh",
    "bash scripts/up.sh",
    "```",
    "",
    "```bash",
    "echo one",
    "echo two",
    "```",
    "```ts",
    "console.log(1)",
    "```",
    "````sh",
    "echo '```'",
    "````",
    "```",
    "plain",
    "```",
  ].join("\n");

  it("finds bash and sh fences, with their lines, and skips only the marked one", () => {
    const blocks = commandBlocks(md);
    assert.deepEqual(blocks, [
      { line: 3, lang: "sh", code: "bash scripts/up.sh", skip: "starts Wharf" },
      { line: 7, lang: "bash", code: "echo one\necho two" },
      { line: 14, lang: "sh", code: "echo '```'" },
    ]);
  });

  it("a marker that is not on the line just before the fence does not skip", () => {
    const blocks = commandBlocks("<!-- readme-test: skip -->\n\n```sh\necho hi\n```\n");
    assert.equal(blocks.length, 1);
    assert.equal(blocks[0]!.skip, undefined);
  });

  it("builds one script announcing each block, and finds the last one announced", () => {
    const script = blocksScript(commandBlocks(md));
    assert.doesNotMatch(script, /scripts\/up\.sh/);
    assert.match(script, /::readme-block 7::[\s\S]*echo two[\s\S]*::readme-block 14::/);
    assert.equal(lastBlockLine("x\n::readme-block 7::\nout\n::readme-block 14::\nboom\n"), 14);
    assert.equal(lastBlockLine("nothing"), undefined);
  });
});
