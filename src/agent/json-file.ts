import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The JSON in `file`, or undefined when it is missing or unreadable (the caller starts afresh). */
export function readJsonFile<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/**
 * Writes `value` as JSON atomically (temp file + rename), so a kill -9 never leaves half a file.
 * `secret` files are written mode 0600 in a 0700 directory, pretty-printed for people to read.
 */
export function writeJsonFileAtomic(file: string, value: unknown, opts: { secret?: boolean } = {}): void {
  if (opts.secret) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  if (opts.secret) writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode: 0o600 });
  else writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}
