// Finds runtime import cycles among the .ts files under a directory (type-only imports do not
// exist at runtime and are skipped). Usage: node scripts/check-cycles.mjs src — exits 1 on a cycle.
import { relative, resolve } from "node:path";
import { relativeImports, tsFiles } from "./ts-imports.mjs";

const root = resolve(process.argv[2] ?? "src");
const files = tsFiles(root);
const graph = new Map(files.map((f) => [f, relativeImports(f).filter((i) => !i.typeOnly).map((i) => i.path)]));
const state = new Map();
const stack = [];
const cycles = new Set();
const visit = (n) => {
  state.set(n, 1);
  stack.push(n);
  for (const d of graph.get(n) ?? []) {
    if (!graph.has(d)) continue;
    if (state.get(d) === 1) cycles.add(stack.slice(stack.indexOf(d)).map((x) => relative(root, x)).join(" -> "));
    else if (!state.get(d)) visit(d);
  }
  stack.pop();
  state.set(n, 2);
};
for (const f of files) if (!state.get(f)) visit(f);
if (cycles.size) {
  console.log([...cycles].join("\n"));
  process.exit(1);
}
console.log(`no import cycles among ${files.length} files`);
