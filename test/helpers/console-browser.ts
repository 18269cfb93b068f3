import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import type { AccessLogEntry } from "../../src/edge/access-log.js";
import { repoRoot } from "./harness.js";

/**
 * The web console in real Chromium (Debian's, driven headless by playwright-core), for the
 * console tests: launching, signing in, opening screens by hash, screenshots, and the checks
 * every console test ends with (no page error, no unsigned API call in the access log).
 */
export const CHROMIUM = process.env.WHARF_CHROMIUM ?? "/usr/bin/chromium";
const BUILT = join(repoRoot, "dist", "console", "index.html");
const SHOTS = join(repoRoot, "docs", "console");

/** Why the console tests cannot run here, or false. */
export const consoleSkip: string | false = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM} (bash scripts/ensure-chromium.sh installs it)`
  : !existsSync(BUILT)
    ? "the console is not built (npm run build:console)"
    : false;

/** Screenshots are written to docs/console/ only when asked for (a plain run leaves the checkout clean). */
export const writeScreenshots = process.env.WHARF_CONSOLE_SCREENSHOTS === "1";

export class ConsoleBrowser {
  readonly pageErrors: string[] = [];
  /** Request ids of calls the API refused before a principal was known (a wrong secret). */
  readonly refused = new Set<string>();
  browser!: Browser;
  context!: BrowserContext;
  page!: Page;

  constructor(
    readonly url: string,
    readonly access: AccessLogEntry[],
  ) {}

  async launch(): Promise<this> {
    this.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
    this.context = await this.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    await this.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: this.url });
    this.page = await this.context.newPage();
    this.page.on("console", (m) => {
      if (m.type() === "error") this.pageErrors.push(m.text());
    });
    this.page.on("pageerror", (e) => this.pageErrors.push(String(e)));
    return this;
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
  }

  /** A full-page screenshot as docs/console/NAME.png, when WHARF_CONSOLE_SCREENSHOTS=1. */
  async shot(name: string): Promise<void> {
    if (!writeScreenshots) return;
    mkdirSync(SHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  async open(hash: string): Promise<void> {
    await this.page.evaluate((h) => (window.location.hash = h), hash);
  }

  heading(text: string): Locator {
    return this.page.getByRole("heading", { name: text, exact: true }).first();
  }

  /** Opens `/` and signs in with these keys; resolves when the clusters screen shows. */
  async signIn(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
    await this.page.goto(`${this.url}/`);
    await this.page.getByLabel("Access key ID").fill(credentials.accessKeyId);
    await this.page.getByLabel("Secret access key").fill(credentials.secretAccessKey);
    await this.page.getByRole("button", { name: "Sign in" }).click();
    await this.heading("Clusters").waitFor();
  }

  /**
   * No page error was logged; every API call (not a GET of the console's own files) was signed,
   * besides the refused ones; each of `operations` ("service:Operation") was made, signed.
   */
  assertAllSigned(operations: string[]): void {
    assert.deepEqual(this.pageErrors, []);
    const api = this.access.filter((e) => !(e.method === "GET" || e.method === "HEAD"));
    const unsigned = api.filter((e) => !e.accessKeyId && !this.refused.has(e.requestId));
    assert.deepEqual(unsigned, []);
    for (const op of operations) assert.ok(api.some((e) => `${e.service}:${e.operation}` === op && e.accessKeyId), op);
    // GETs were the console's own files only.
    for (const e of this.access.filter((x) => x.method === "GET")) assert.match(e.path, /^\/(|index\.html|assets\/[\w.-]+)$/, e.path);
  }
}
