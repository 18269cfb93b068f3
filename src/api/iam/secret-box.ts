import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Secrets at rest (IAM access-key secrets, STS session secrets and tokens): AES-256-GCM under one
 * key. `v1.` + base64url(iv ‖ tag ‖ ciphertext). The key is a file created 0600 in the server's
 * data directory (`iam.key`), or random in memory for a store that lives in memory.
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("the IAM secret key must be 32 bytes");
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([c.update(plain, "utf8"), c.final()]);
      return `v1.${Buffer.concat([iv, c.getAuthTag(), body]).toString("base64url")}`;
    },
    open(sealed) {
      if (!sealed.startsWith("v1.")) throw new Error("not a sealed secret");
      const raw = Buffer.from(sealed.slice(3), "base64url");
      const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8");
    },
  };
}

/** The key file `<dataDir>/iam.key` (created 0600 on first start), or an in-memory key when dataDir is absent. */
export function loadSecretBox(dataDir?: string): SecretBox {
  if (!dataDir) return secretBox(randomBytes(32));
  const path = join(dataDir, "iam.key");
  if (!existsSync(path)) {
    writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  chmodSync(path, 0o600);
  return secretBox(Buffer.from(readFileSync(path, "utf8").trim(), "base64"));
}
