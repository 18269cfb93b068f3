#!/usr/bin/env node
// Entry point of the `wharf` command; the code lives in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const { nodeVersionProblem, enginesOfPackage } = createRequire(import.meta.url)("./check-node.cjs");
const problem = nodeVersionProblem(process.versions.node, enginesOfPackage());
const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (problem) {
  console.error(`wharf: ${problem}`);
  process.exitCode = 1;
} else if (!existsSync(fileURLToPath(main))) {
  console.error("wharf: not built yet. Run `npm install` (or `npm run build`) in the Wharf checkout first.");
  process.exitCode = 1;
} else {
  import(main.href).then(async ({ run }) => {
    process.exitCode = await run(process.argv.slice(2));
  });
}
