import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** Wharf's default port: distinct from LocalStack's 4566 so both can run side by side. */
export const DEFAULT_PORT = 4700;
export const DEFAULT_HOST = "127.0.0.1";
/** Wharf's DNS server (UDP and TCP) on the API's host, for `wharf up` / `wharf server` (docs/dns.md). */
export const DEFAULT_DNS_PORT = 4753;
export const DEFAULT_REGION = "us-east-1";
/** Account id used in every ARN unless WHARF_ACCOUNT_ID says otherwise. */
export const DEFAULT_ACCOUNT_ID = "000000000000";

export interface RootCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Where Wharf keeps its state when neither --data-dir nor WHARF_DATA_DIR says: a per-user
 * directory, so `wharf env` and the client commands find it from any directory.
 * Linux and the rest: `$XDG_DATA_HOME/wharf` (when absolute), else `~/.local/share/wharf`;
 * macOS: `~/Library/Application Support/wharf`; Windows: `%LOCALAPPDATA%\wharf`.
 */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === "darwin") return join(home, "Library", "Application Support", "wharf");
  if (platform === "win32") return join(env.LOCALAPPDATA || join(home, "AppData", "Local"), "wharf");
  const xdg = env.XDG_DATA_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, ".local", "share"), "wharf");
}

/** How help texts name the default data directory (with its value for this user). */
export const DATA_DIR_DEFAULT_TEXT = `the per-user ${defaultDataDir()}`;

/** The data directory: --data-dir, else WHARF_DATA_DIR, else the per-user default. */
/** `wharf up`/`wharf env`'s address when no --host/--port is given: WHARF_HOST / WHARF_PORT, else the defaults. */
export const defaultHost = (): string => process.env.WHARF_HOST || DEFAULT_HOST;
export const defaultPort = (): string => process.env.WHARF_PORT || String(DEFAULT_PORT);
export const defaultDnsPort = (): string => process.env.WHARF_DNS_PORT || String(DEFAULT_DNS_PORT);

export const resolveDataDir = (dir?: string): string => resolve(dir || process.env.WHARF_DATA_DIR || defaultDataDir());

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
