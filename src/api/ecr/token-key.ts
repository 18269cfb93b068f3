import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The key ECR tokens are sealed with: `<dataDir>/ecr.key` (created 0600 on first start), so tokens outlive a restart. */
export function loadTokenKey(dataDir: string): Buffer {
  const path = join(dataDir, "ecr.key");
  if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
  return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
}
