import { ECSClient } from "@aws-sdk/client-ecs";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server.js";

const run = promisify(execFile);

/** A Wharf control plane on a random loopback port with its own temp data dir. */
export interface TestWharf {
  server: RunningServer;
  dataDir: string;
  ecs: ECSClient;
  /** Environment for the `aws` CLI pointing at this server. */
  awsEnv: NodeJS.ProcessEnv;
  /** Runs `aws ARGS...` against this server; resolves stdout parsed as JSON (or `{}` when empty). */
  aws(...args: string[]): Promise<any>;
  /** Like aws() but resolves the error name and message of a failing call. */
  awsError(...args: string[]): Promise<{ code: string; stderr: string }>;
  /** Stops the server (keeping the data dir) */
  stop(): Promise<void>;
  /** Starts a server again on the same data dir. */
  restart(): Promise<void>;
  /** Stops and removes the data dir. */
  close(): Promise<void>;
}

export async function startTestWharf(
  opts: { dataDir?: string; server?: Omit<ServerOptions, "dataDir" | "port"> } = {},
): Promise<TestWharf> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "wharf-test-"));
  let server = await startServer({ ...opts.server, dataDir, port: 0 });
  const makeClient = () =>
    new ECSClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: server.credentials,
      maxAttempts: 1,
    });
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
    AWS_PAGER: "",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  });
  const h: TestWharf = {
    server,
    dataDir,
    ecs: makeClient(),
    awsEnv: env(),
    async aws(...args: string[]) {
      const { stdout } = await run("aws", [...args, "--output", "json"], { env: env(), maxBuffer: 64 << 20 });
      return stdout.trim() ? JSON.parse(stdout) : {};
    },
    async awsError(...args: string[]) {
      try {
        await run("aws", [...args, "--output", "json"], { env: env(), maxBuffer: 64 << 20 });
      } catch (e) {
        const stderr = String((e as { stderr?: string }).stderr ?? "");
        const m = /An error occurred \((\w+)\)/.exec(stderr);
        return { code: m?.[1] ?? "", stderr };
      }
      throw new Error(`aws ${args.join(" ")} succeeded but was expected to fail`);
    },
    async stop() {
      await server.close();
    },
    async restart() {
      server = await startServer({ ...opts.server, dataDir, port: 0 });
      h.server = server;
      h.ecs = makeClient();
      h.awsEnv = env();
    },
    async close() {
      await server.close().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Path of a seed fixture (../shared/fixtures/seed beside the checkout). */
export const seedFixture = (name: string): string =>
  join(process.cwd(), "..", "shared", "fixtures", "seed", name);
