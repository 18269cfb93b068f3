// Finds runtime import cycles among the .ts files under a directory (type-only imports do not
// exist at runtime and are skipped). Usage: node scripts/check-cycles.mjs src — exits 1 on a cycle.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(process.argv[2] ?? "src");
const files = [];
const walk = (d) => {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith(".ts")) files.push(p);
  }
};
walk(root);
const graph = new Map();
for (const f of files) {
  const deps = [];
  for (const m of readFileSync(f, "utf8").matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gms)) {
    if (!m[1]) deps.push(resolve(dirname(f), m[2].replace(/\.js$/, ".ts")));
  }
  graph.set(f, deps);
}
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
