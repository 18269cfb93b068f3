import { createHash } from "node:crypto";

/**
 * The Docker Registry HTTP API v2 spoken by hand (what `docker push` does), for tests that
 * exercise Wharf's registry without Docker: Basic auth `AWS:<token>`, monolithic blob uploads,
 * manifest puts and gets.
 */

export const sha256 = (b: string | Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export class RegistryHttp {
  constructor(
    readonly host: string,
    private readonly password: string,
  ) {}

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Basic ${Buffer.from(`AWS:${this.password}`).toString("base64")}`, ...extra };
  }

  fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    return fetch(`http://${this.host}${path}`, { ...init, headers: this.headers(init.headers ?? {}) });
  }

  /** POST an upload, then PUT the whole blob with its digest: resolves the digest (throws on a refusal). */
  async pushBlob(repo: string, data: Buffer | string): Promise<string> {
    const digest = sha256(data);
    const start = await this.fetch(`/v2/${repo}/blobs/uploads/`, { method: "POST" });
    await start.arrayBuffer();
    if (start.status !== 202) throw new Error(`upload start: HTTP ${start.status}`);
    const loc = start.headers.get("location")!;
    if (!loc.startsWith(`/v2/${repo}/blobs/uploads/`)) throw new Error(`upload location not in the caller's names: ${loc}`);
    const url = new URL(loc, `http://${this.host}`);
    url.searchParams.set("digest", digest);
    const put = await this.fetch(`${url.pathname}${url.search}`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: typeof data === "string" ? data : new Uint8Array(data),
    });
    await put.arrayBuffer();
    if (put.status !== 201) throw new Error(`blob put: HTTP ${put.status}`);
    return digest;
  }

  putManifest(repo: string, ref: string, manifest: string, mediaType: string): Promise<Response> {
    return this.fetch(`/v2/${repo}/manifests/${ref}`, { method: "PUT", headers: { "content-type": mediaType }, body: manifest });
  }
}

export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

/** A schema-2 image manifest of the given config and layers (blobs already pushed). */
export function imageManifest(config: { digest: string; size: number }, layers: { digest: string; size: number }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: "application/vnd.docker.container.image.v1+json", ...config },
    layers: layers.map((l) => ({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...l })),
  });
}

/** Pushes a config blob and N small layer blobs; resolves the manifest that names them. */
export async function pushImageBlobs(r: RegistryHttp, repo: string, seed: string, layerCount = 2): Promise<{ manifest: string; layerBytes: number }> {
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, seed }));
  const layers = Array.from({ length: layerCount }, (_, i) => Buffer.from(`layer ${i} of ${seed} `.repeat(10 + i)));
  const cd = await r.pushBlob(repo, config);
  const ld = [];
  for (const l of layers) ld.push({ digest: await r.pushBlob(repo, l), size: l.length });
  return { manifest: imageManifest({ digest: cd, size: config.length }, ld), layerBytes: layers.reduce((n, l) => n + l.length, 0) };
}
