import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Connection } from "../connection.js";
import { ECR, isCode } from "./aws.js";
import type { Say } from "./apply.js";

/**
 * `build:` → `docker build` of the context, tagged with the image's own id (so a changed build
 * is a changed image, and an unchanged one registers nothing new), pushed to the service's ECR
 * repository in Wharf's registry after a `docker login` with GetAuthorizationToken's password.
 */

export interface BuildRequest {
  service: string;
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
  target?: string;
  repository: string;
}

function docker(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const p = spawn("docker", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.once("error", (err) => rej(new Error(`cannot run docker (${err.message}): building images needs the docker CLI`)));
    p.once("close", (code) => res({ code: code ?? 1, stdout, stderr }));
    p.stdin.end(input ?? "");
  });
}

async function must(args: string[], what: string, input?: string): Promise<string> {
  const r = await docker(args, input);
  if (r.code !== 0) throw new Error(`${what} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join("\n")}`);
  return r.stdout;
}

/** Builds and pushes each image; resolves with the pushed image reference by service name. */
export async function buildAndPush(conn: Connection, dir: string, builds: BuildRequest[], say: Say): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!builds.length) return out;
  const logins = new Set<string>();
  for (const b of builds) {
    let uri: string;
    try {
      const r = await conn.json<{ repository: { repositoryUri: string } }>(ECR, "CreateRepository", { repositoryName: b.repository, tags: [{ Key: "com.docker.compose.project", Value: b.repository.split("/")[0] }] });
      uri = r.repository.repositoryUri;
    } catch (err) {
      if (!isCode(err, "RepositoryAlreadyExistsException")) throw err;
      const r = await conn.json<{ repositories: { repositoryUri: string }[] }>(ECR, "DescribeRepositories", { repositoryNames: [b.repository] });
      uri = r.repositories[0]!.repositoryUri;
    }
    const host = uri.slice(0, uri.indexOf("/"));
    if (!logins.has(host)) {
      const t = await conn.json<{ authorizationData: { authorizationToken: string }[] }>(ECR, "GetAuthorizationToken", {});
      const [user, password] = Buffer.from(t.authorizationData[0]!.authorizationToken, "base64").toString("utf8").split(":");
      await must(["login", "--username", user!, "--password-stdin", host], `docker login ${host}`, password);
      logins.add(host);
    }
    const context = resolve(dir, b.context);
    say(`${b.service}: building ${context}`);
    const args = ["build", "-q", ...(b.dockerfile ? ["-f", resolve(context, b.dockerfile)] : []), ...(b.target ? ["--target", b.target] : [])];
    for (const [k, v] of Object.entries(b.args)) args.push("--build-arg", `${k}=${v}`);
    const id = (await must([...args, context], `docker build of ${b.service}`)).trim().split("\n").pop()!.replace(/^sha256:/, "");
    const ref = `${uri}:${id.slice(0, 12)}`;
    await must(["tag", id, ref], `docker tag of ${b.service}`);
    say(`${b.service}: pushing ${ref}`);
    await must(["push", ref], `docker push of ${b.service}`);
    out[b.service] = ref;
  }
  return out;
}
