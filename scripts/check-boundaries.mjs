// Checks the layer boundaries of src/ (docs/architecture.md, "Layers"): which top-level folder may
// import which. Type-only imports count too: a boundary is about knowledge, not only runtime.
// Usage: node scripts/check-boundaries.mjs [src] — prints each crossing and exits 1 when there is one.
import { relative, resolve, sep } from "node:path";
import { relativeImports, tsFiles } from "./ts-imports.mjs";

/** For each layer: the layers it must not import (src/server.ts, the composition root, may import all). */
export const FORBIDDEN = {
  core: ["api", "agent", "cli", "controllers", "edge", "records", "store", "contracts", "dns", "registry", "server.ts"],
  store: ["api", "agent", "cli", "controllers", "edge", "records", "contracts", "dns", "registry", "server.ts"],
  contracts: ["api", "agent", "cli", "controllers", "records", "store", "dns", "registry", "server.ts"],
  records: ["api", "agent", "cli", "controllers", "edge", "dns", "registry", "server.ts"],
  controllers: ["api", "agent", "cli", "edge", "dns", "registry", "server.ts"],
  edge: ["api", "agent", "cli", "controllers", "records", "dns", "registry", "server.ts"],
  api: ["agent", "cli", "controllers", "lb", "dns", "registry", "server.ts"],
  agent: ["api", "cli", "controllers", "records", "lb", "dns", "registry", "server.ts"],
  lb: ["api", "agent", "cli", "controllers", "edge", "records", "store", "dns", "registry", "server.ts"],
  dns: ["api", "agent", "cli", "controllers", "edge", "records", "store", "lb", "registry", "server.ts"],
  registry: ["api", "agent", "cli", "controllers", "edge", "records", "store", "lb", "dns", "server.ts"],
};
/** The agent's entry points the CLI may import to start agents; nothing else of agent/. */
const CLI_AGENT_ENTRIES = ["agent/agent.ts", "agent/simulate/index.ts", "agent/docker/errors.ts"];
const CLI_FORBIDDEN = ["api", "controllers", "records", "lb", "registry"];

const root = resolve(process.argv[2] ?? "src");
const files = tsFiles(root);
const layerOf = (p) => relative(root, p).split(sep)[0];
const crossings = [];
for (const f of files) {
  const from = layerOf(f);
  for (const { path: target } of relativeImports(f)) {
    const to = layerOf(target);
    const rel = relative(root, target).split(sep).join("/");
    const bad =
      from === "cli"
        ? CLI_FORBIDDEN.includes(to) || (to === "agent" && !CLI_AGENT_ENTRIES.includes(rel))
        : (FORBIDDEN[from] ?? []).includes(to);
    if (bad) crossings.push(`${relative(root, f)} imports ${rel} (${from} → ${to})`);
  }
}
if (crossings.length) {
  console.error(`${crossings.length} layer crossing(s):\n  ${crossings.join("\n  ")}`);
  process.exit(1);
}
console.log(`no layer crossings among ${files.length} files`);
