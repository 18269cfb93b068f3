// The .ts files under a directory and their relative imports, as the checks read them
// (scripts/check-cycles.mjs, scripts/check-boundaries.mjs).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Every .ts file below `root`, as absolute paths. */
export function tsFiles(root) {
  const files = [];
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) files.push(p);
    }
  };
  walk(root);
  return files;
}

/** The files `file` imports or re-exports by relative path (absolute .ts paths), each with whether the import is type-only. */
export function relativeImports(file) {
  const out = [];
  for (const m of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gms)) {
    out.push({ path: resolve(dirname(file), m[2].replace(/\.js$/, ".ts")), typeOnly: !!m[1] });
  }
  return out;
}
