import { ECSClient } from "@aws-sdk/client-ecs";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { EC2Client } from "@aws-sdk/client-ec2";
import { type RunningServer, type ServerOptions, startServer } from "../../src/server.js";
import { leaseCidr16 } from "./cidr-lease.js";

const run = promisify(execFile);

/** A Wharf control plane on a random loopback port with its own temp data dir. */
export interface TestWharf {
  server: RunningServer;
  dataDir: string;
  ecs: ECSClient;
  ec2: EC2Client;
  /** The default VPC's block: a 10.X.0.0/16 no other test Wharf holds (test/helpers/cidr-lease.ts). */
  defaultVpcCidr: string;
  /** "127.X": the loopback block its load balancers listen on (X from the same lease). */
  lbAddressPrefix: string;
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
  const lease = leaseCidr16();
  // The leased X also gives its load balancers their own loopback block, 127.X.0.0/16.
  const serverOpts = { defaultVpcCidr: lease.cidr, lbAddressPrefix: `127.${lease.prefix.split(".")[1]}`, ...opts.server, dataDir, port: 0 };
  let server: RunningServer;
  try {
    server = await startServer(serverOpts);
  } catch (err) {
    lease.release();
    // Nobody holds this directory yet: remove it here (a caller's own dataDir stays).
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const makeClient = () =>
    new ECSClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: server.credentials,
      maxAttempts: 1,
    });
  const makeEc2 = () => new EC2Client({ endpoint: server.url, region: "us-east-1", credentials: server.credentials, maxAttempts: 1 });
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
    // Cloud Map's DiscoverInstances would go to data-<host> (its model's host prefix): not on a local endpoint.
    AWS_DISABLE_HOST_PREFIX_INJECTION: "true",
  });
  const h: TestWharf = {
    server,
    dataDir,
    ecs: makeClient(),
    ec2: makeEc2(),
    defaultVpcCidr: serverOpts.defaultVpcCidr,
    lbAddressPrefix: serverOpts.lbAddressPrefix,
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
        const m = /An error occurred \(([\w.]+)\)/.exec(stderr);
        return { code: m?.[1] ?? "", stderr };
      }
      throw new Error(`aws ${args.join(" ")} succeeded but was expected to fail`);
    },
    async stop() {
      await server.close();
    },
    async restart() {
      server = await startServer(serverOpts);
      h.server = server;
      h.ecs = makeClient();
      h.ec2 = makeEc2();
      h.awsEnv = env();
    },
    async close() {
      await server.close().catch(() => undefined);
      lease.release();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** The repository's root (dist/test/helpers/ → three levels up). */
export const repoRoot: string = fileURLToPath(new URL("../../../", import.meta.url));

/** Path of one of the repository's examples (examples/ in the checkout: the seed's task definitions and more). */
export const exampleFile = (name: string): string => join(repoRoot, "examples", name);
