import { createReadStream, existsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

/**
 * The web console's files (console/, built by `npm run build` into dist/console): served at `/`
 * on the API's port to GET requests that are not API calls (no `X-Amz-Target`, no
 * `Authorization`, no `?Action=`). Only static files: every piece of data the console shows it
 * fetches itself with SigV4-signed API calls, as any SDK would (docs/console.md).
 */
export type ConsoleSite = (req: IncomingMessage, res: ServerResponse, path: string) => void;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".ico": "image/x-icon",
};

/** Whether a request is for the console rather than an API: a plain GET or HEAD, unsigned, not Query-shaped. */
export function isConsoleRequest(req: IncomingMessage, path: string, query: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (path.startsWith("/_wharf/")) return false;
  if (req.headers["x-amz-target"] !== undefined || req.headers.authorization !== undefined) return false;
  return !/(^|&)(Action|X-Amz-Credential)=/.test(query);
}

/** A handler serving the files under `dir`; `/` is index.html. When the console is not built it says so. */
export function consoleSite(dir: string): ConsoleSite {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  return (req, res, path) => {
    let rel: string;
    try {
      rel = decodeURIComponent(path === "/" ? "/index.html" : path);
    } catch {
      rel = "/";
    }
    const file = normalize(join(root, rel));
    const inside = file.startsWith(root);
    const found = inside && existsSync(file) && statSync(file).isFile();
    if (!found) {
      const built = existsSync(join(root, "index.html"));
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      return void res.end(built ? `Not found: ${path}\n` : "The web console is not built: run `npm run build` (it builds console/ into dist/console).\n");
    }
    const hashed = rel.startsWith("/assets/");
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "content-length": statSync(file).size,
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
    });
    if (req.method === "HEAD") return void res.end();
    createReadStream(file).pipe(res);
  };
}
