import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basicToken } from "../core/ecr/auth-token.js";
import { manifestDigest } from "../core/ecr/manifest.js";
import { backendRepository, isDigest } from "../core/ecr/names.js";
import { readLimitedBody } from "../core/http-body.js";
import type { PutManifestResult, RegistryCatalog, RegistryDataPlane, RegistryRefusal, RegistryRepo } from "../core/ecr/registry-contract.js";
import { RegistryProcess, RegistryUnavailable, type Log } from "./registry-process.js";

/**
 * Wharf's registry front: the Docker Registry HTTP API v2 on the registry port, as ECR serves
 * it. Every request needs Basic auth `AWS:<token>` (GetAuthorizationToken); the token says which
 * account and Region the names belong to. Repositories must exist (NAME_UNKNOWN), tags are
 * Wharf's (resolved and listed from the image index, immutable ones refused), and blobs and
 * manifests go to the distribution registry under `<account>/<region>/<name>`.
 */

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const API_HEADER = { "docker-distribution-api-version": "registry/2.0" };

function sendError(res: ServerResponse, r: RegistryRefusal, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ code: r.code, message: r.message, detail: null }] });
  res.writeHead(r.status, { ...API_HEADER, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), ...extra });
  res.end(body);
}

const isRefusal = (x: RegistryRepo | RegistryRefusal): x is RegistryRefusal => "code" in x;

/**
 * The IAM action a registry request needs, as ECR documents for `docker pull` (BatchGetImage,
 * GetDownloadUrlForLayer) and `docker push` (BatchCheckLayerAvailability, InitiateLayerUpload,
 * UploadLayerPart, CompleteLayerUpload, PutImage).
 */
export function registryAction(method: string, kind: string, rest: string): string | undefined {
  if (kind === "tags") return "ecr:ListImages";
  if (kind === "manifests") return method === "PUT" ? "ecr:PutImage" : method === "GET" || method === "HEAD" ? "ecr:BatchGetImage" : undefined;
  if (rest.startsWith("uploads")) return method === "POST" ? "ecr:InitiateLayerUpload" : method === "PUT" ? "ecr:CompleteLayerUpload" : "ecr:UploadLayerPart";
  return method === "HEAD" ? "ecr:BatchCheckLayerAvailability" : "ecr:GetDownloadUrlForLayer";
}

export interface RegistryFrontOptions {
  catalog: RegistryCatalog;
  /** Where the distribution registry's files live (`<dataDir>/ecr/registry`). */
  dir: string;
  host?: string;
  port?: number;
  binary?: string;
  log?: Log;
}

/** The front and the registry behind it; also the ECR API's RegistryDataPlane. */
export class RegistryFront implements RegistryDataPlane {
  private readonly server: Server;
  private readonly backend: RegistryProcess;
  /** Connections to the registry are kept and reused (a push is hundreds of requests). */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private address = "";

  constructor(private readonly opts: RegistryFrontOptions) {
    this.backend = new RegistryProcess({ dir: opts.dir, ...(opts.binary ? { binary: opts.binary } : {}), ...(opts.log ? { log: opts.log } : {}) });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        const unavailable = err instanceof RegistryUnavailable;
        opts.log?.({ level: unavailable ? "warn" : "error", msg: "registry request failed", err: String((err as Error)?.stack ?? err) });
        if (!res.headersSent) sendError(res, { status: unavailable ? 503 : 500, code: "UNAVAILABLE", message: unavailable ? (err as Error).message : "internal error" });
        else res.destroy();
      });
    });
  }

  /** `host:port` Docker uses (repositoryUri, proxyEndpoint). */
  get host(): string {
    return this.address;
  }

  async listen(): Promise<void> {
    const host = this.opts.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const port = (this.server.address() as AddressInfo).port;
    this.address = `${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.agent.destroy();
    await this.backend.stop();
  }

  // ---- RegistryDataPlane (PutImage, BatchDeleteImage) ----

  async putManifest(repo: RegistryRepo, digest: string, mediaType: string, bytes: string): Promise<PutManifestResult> {
    const base = await this.backend.ensure();
    const res = await fetch(`${base}/v2/${backendRepository(repo.accountId, repo.region, repo.name)}/manifests/${digest}`, {
      method: "PUT",
      headers: { "content-type": mediaType },
      body: bytes,
    });
    if (res.ok) return { ok: true };
    const text = await res.text();
    let errors: { code?: string; message?: string; detail?: unknown }[] = [];
    try {
      errors = (JSON.parse(text) as { errors?: typeof errors }).errors ?? [];
    } catch {
      /* not JSON */
    }
    const details = (code: string) => errors.filter((e) => e.code === code).map((e) => (typeof e.detail === "string" ? e.detail : JSON.stringify(e.detail)));
    return { ok: false, missingLayers: details("MANIFEST_BLOB_UNKNOWN"), missingManifests: details("MANIFEST_UNKNOWN"), message: errors.map((e) => e.message).join("; ") || text };
  }

  async deleteManifest(repo: RegistryRepo, digest: string): Promise<void> {
    const base = await this.backend.ensure();
    const res = await fetch(`${base}/v2/${backendRepository(repo.accountId, repo.region, repo.name)}/manifests/${digest}`, { method: "DELETE" });
    await res.arrayBuffer();
    if (!res.ok && res.status !== 404) throw new Error(`the registry refused to delete ${digest}: HTTP ${res.status}`);
  }

  private backendPath(repo: RegistryRepo, rest: string): string {
    return `/v2/${backendRepository(repo.accountId, repo.region, repo.name)}/${rest}`;
  }

  async blobSize(repo: RegistryRepo, digest: string): Promise<number | undefined> {
    const base = await this.backend.ensure();
    const res = await fetch(`${base}${this.backendPath(repo, `blobs/${digest}`)}`, { method: "HEAD" });
    return res.ok ? Number(res.headers.get("content-length") ?? 0) : undefined;
  }

  async startUpload(repo: RegistryRepo): Promise<string> {
    const base = await this.backend.ensure();
    const res = await fetch(`${base}${this.backendPath(repo, "blobs/uploads/")}`, { method: "POST" });
    await res.arrayBuffer();
    const loc = res.headers.get("location");
    if (res.status !== 202 || !loc) throw new Error(`the registry did not start an upload: HTTP ${res.status}`);
    return loc;
  }

  async uploadPart(_repo: RegistryRepo, handle: string, bytes: Buffer): Promise<string> {
    const base = await this.backend.ensure();
    const res = await fetch(new URL(handle, base), { method: "PATCH", headers: { "content-type": "application/octet-stream" }, body: new Uint8Array(bytes) });
    await res.arrayBuffer();
    const loc = res.headers.get("location");
    if (res.status !== 202 || !loc) throw new Error(`the registry refused an upload part: HTTP ${res.status}`);
    return loc;
  }

  async completeUpload(_repo: RegistryRepo, handle: string, digest: string): Promise<{ ok: true } | { ok: false; message: string }> {
    const base = await this.backend.ensure();
    const url = new URL(handle, base);
    url.searchParams.set("digest", digest);
    const res = await fetch(url, { method: "PUT" });
    const text = await res.text();
    if (res.status === 201) return { ok: true };
    let message = text;
    try {
      message = ((JSON.parse(text) as { errors?: { message?: string }[] }).errors ?? []).map((e) => e.message).join("; ") || text;
    } catch {
      /* not JSON */
    }
    return { ok: false, message };
  }

  // ---- the Registry HTTP API ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://registry");
    const challenge = { "www-authenticate": `Basic realm="http://${this.address}/",service="ecr.amazonaws.com"` };
    if (!url.pathname.startsWith("/v2")) return sendError(res, { status: 404, code: "NOT_FOUND", message: "Not Found" });
    // GetDownloadUrlForLayer's URLs carry their token in the query (as a presigned URL does), for blob GETs only.
    const queryToken = req.method === "GET" && /\/blobs\/sha256:[a-f0-9]{64}$/.test(url.pathname) ? url.searchParams.get("X-Wharf-Token") ?? undefined : undefined;
    const token = basicToken(req.headers.authorization) ?? queryToken;
    const check = token === undefined ? undefined : this.opts.catalog.checkToken(token);
    if (!check || !check.ok) {
      if (check && !check.ok && check.reason === "expired") {
        return sendError(res, { status: 403, code: "DENIED", message: "Your authorization token has expired. Reauthenticate and try again." });
      }
      return sendError(res, { status: 401, code: "DENIED", message: "Not Authorized" }, challenge);
    }
    const { accountId, region } = check.claims;
    if (url.pathname === "/v2/" || url.pathname === "/v2") {
      res.writeHead(200, { ...API_HEADER, "content-type": "application/json; charset=utf-8", "content-length": 2 });
      return void res.end("{}");
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs|tags)\/(.*)$/.exec(url.pathname);
    if (!m) return sendError(res, { status: 404, code: "UNSUPPORTED", message: "The operation is unsupported." });
    const [, name, kind, rest] = m as unknown as [string, string, string, string];
    const found = await this.opts.catalog.repository(accountId, region, name);
    if (isRefusal(found)) return sendError(res, found);
    const action = registryAction(req.method ?? "GET", kind, rest);
    if (action) {
      const denied = await this.opts.catalog.authorize(check.claims, action, found);
      if (denied) return sendError(res, denied);
    }
    const backendName = backendRepository(accountId, region, name);
    if (kind === "tags") {
      if (rest !== "list" || req.method !== "GET") return sendError(res, { status: 405, code: "UNSUPPORTED", message: "The operation is unsupported." });
      const body = JSON.stringify({ name, tags: await this.opts.catalog.tags(found) });
      res.writeHead(200, { ...API_HEADER, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
      return void res.end(body);
    }
    if (kind === "manifests") return this.manifest(req, res, found, backendName, decodeURIComponent(rest));
    // Blobs and uploads: straight through, names rewritten both ways.
    if (url.searchParams.has("from")) {
      const from = await this.opts.catalog.repository(accountId, region, url.searchParams.get("from")!);
      if (isRefusal(from)) {
        url.searchParams.delete("from");
        url.searchParams.delete("mount");
      } else url.searchParams.set("from", backendRepository(accountId, region, from.name));
    }
    url.searchParams.delete("X-Wharf-Token");
    await this.proxy(req, res, `/v2/${backendName}/${kind}/${rest}${url.search}`, name, backendName);
  }

  private async manifest(req: IncomingMessage, res: ServerResponse, repo: RegistryRepo, backendName: string, reference: string): Promise<void> {
    const catalog = this.opts.catalog;
    if (req.method === "PUT") {
      const body = await readLimitedBody(req, MAX_MANIFEST_BYTES);
      if (!body) return sendError(res, { status: 400, code: "MANIFEST_INVALID", message: "manifest invalid: larger than 4 MiB" });
      const digest = manifestDigest(body);
      if (isDigest(reference) && reference !== digest) return sendError(res, { status: 400, code: "DIGEST_INVALID", message: "provided digest did not match uploaded content" });
      const tag = isDigest(reference) ? undefined : reference;
      const refused = await catalog.checkPush(repo, digest, tag);
      if (refused) return sendError(res, refused);
      const mediaType = String(req.headers["content-type"] ?? "").split(";")[0]!.trim();
      const base = await this.backend.ensure();
      const stored = await fetch(`${base}/v2/${backendName}/manifests/${digest}`, { method: "PUT", headers: { "content-type": mediaType }, body: new Uint8Array(body) });
      const text = await stored.text();
      if (!stored.ok) {
        res.writeHead(stored.status, { ...API_HEADER, "content-type": stored.headers.get("content-type") ?? "application/json" });
        return void res.end(text);
      }
      const recorded = await catalog.recordPush(repo, { digest, ...(tag !== undefined ? { tag } : {}), mediaType, bytes: body.toString("utf8") });
      if (recorded) return sendError(res, recorded);
      res.writeHead(201, { ...API_HEADER, location: `/v2/${repo.name}/manifests/${digest}`, "docker-content-digest": digest, "content-length": 0 });
      return void res.end();
    }
    if (req.method === "GET" || req.method === "HEAD") {
      const digest = await catalog.resolve(repo, reference);
      if (!digest) return sendError(res, { status: 404, code: "MANIFEST_UNKNOWN", message: "Requested image not found" });
      // A pull is recorded (lastRecordedPullTime) before the answer goes out, so it is there once the
      // pull is done. HEAD counts: Docker's pull of an image whose manifest it holds is a HEAD alone.
      const record = async (status: number) => {
        if (status < 200 || status >= 300) return;
        await catalog.recordPull(repo, digest).catch((err) => this.opts.log?.({ level: "warn", msg: "could not record a pull", err: String(err) }));
      };
      await this.proxy(req, res, `/v2/${backendName}/manifests/${digest}`, repo.name, backendName, record);
      return;
    }
    return sendError(res, { status: 405, code: "UNSUPPORTED", message: "The operation is unsupported. Use BatchDeleteImage to delete images." });
  }

  /** Forwards a request to the distribution registry; Location headers come back in the caller's names. Resolves with the status. */
  private async proxy(req: IncomingMessage, res: ServerResponse, path: string, name: string, backendName: string, beforeAnswer?: (status: number) => Promise<void>): Promise<number> {
    const base = new URL(await this.backend.ensure());
    const headers = { ...req.headers };
    delete headers.authorization;
    delete headers.host;
    delete headers.connection;
    return new Promise<number>((resolve, reject) => {
      const out = request({ host: base.hostname, port: base.port, method: req.method, path, headers, agent: this.agent }, (up) => {
        const h = { ...up.headers };
        const loc = h.location;
        if (typeof loc === "string") h.location = loc.replace(`/v2/${backendName}/`, `/v2/${name}/`);
        up.pause();
        (beforeAnswer ? beforeAnswer(up.statusCode ?? 502) : Promise.resolve()).then(() => {
          res.writeHead(up.statusCode ?? 502, h);
          up.pipe(res);
          up.on("end", () => resolve(up.statusCode ?? 502));
        }, reject);
        up.on("error", reject);
      });
      out.on("error", reject);
      req.pipe(out);
    });
  }
}
