import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under a directory, read as bytes (a data dir's database, WAL and keys): for tests that look for plaintext. */
export function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}
