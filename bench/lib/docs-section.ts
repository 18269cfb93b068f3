import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** docs/benchmarks.md of this checkout (benchmarks run from dist/bench/*.js or the repo root). */
export const BENCHMARKS_MD = join(process.cwd(), "docs", "benchmarks.md");

/**
 * Replaces the `## TITLE` section of docs/benchmarks.md with `section` (which starts with that
 * heading), or appends it; every other section is left as it is.
 */
export function writeBenchSection(title: string, section: string, file = BENCHMARKS_MD): void {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const body = `${section.trimEnd()}\n`;
  const start = text.indexOf(`## ${title}\n`);
  if (start < 0) writeFileSync(file, `${text.trimEnd()}\n\n${body}`);
  else {
    const end = text.indexOf("\n## ", start + 1);
    writeFileSync(file, text.slice(0, start) + body + (end < 0 ? "" : `\n${text.slice(end + 1)}`));
  }
  console.log(`wrote ${file}`);
}
