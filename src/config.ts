import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Wharf's default port: distinct from LocalStack's 4566 so both can run side by side. */
export const DEFAULT_PORT = 4700;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_REGION = "us-east-1";
/** Account id used in every ARN unless WHARF_ACCOUNT_ID says otherwise. */
export const DEFAULT_ACCOUNT_ID = "000000000000";

export interface RootCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const resolveDataDir = (dir?: string): string => resolve(dir ?? process.env.WHARF_DATA_DIR ?? ".wharf");

export function accountIdFromEnv(): string {
  const id = process.env.WHARF_ACCOUNT_ID ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(id)) throw new Error(`WHARF_ACCOUNT_ID must be 12 digits, got '${id}'`);
  return id;
}

/**
 * Root credentials: from WHARF_ACCESS_KEY_ID / WHARF_SECRET_ACCESS_KEY when set, else read
 * from `<dataDir>/credentials.json`, generated (mode 0600) on first start.
 */
export function loadRootCredentials(dataDir: string, create = true): RootCredentials | undefined {
  const envId = process.env.WHARF_ACCESS_KEY_ID;
  const envSecret = process.env.WHARF_SECRET_ACCESS_KEY;
  if (envId && envSecret) return { accessKeyId: envId, secretAccessKey: envSecret };
  const file = join(dataDir, "credentials.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as RootCredentials;
  if (!create) return undefined;
  mkdirSync(dataDir, { recursive: true });
  const creds: RootCredentials = {
    accessKeyId: `AKIA${randomBytes(8).toString("hex").toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString("base64").replace(/[+/=]/g, "x").slice(0, 40),
  };
  writeFileSync(file, JSON.stringify(creds, null, 2) + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return creds;
}
