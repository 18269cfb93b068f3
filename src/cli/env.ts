import { parseArgs } from "node:util";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_REGION, loadRootCredentials, resolveDataDir } from "../config.js";

/** The environment that points the AWS CLI and SDKs at a Wharf endpoint. */
export function envLines(endpoint: string, dataDir: string, region = DEFAULT_REGION): string[] {
  const creds = loadRootCredentials(dataDir, false);
  if (!creds) {
    throw new Error(`no credentials in ${dataDir} yet: start Wharf first with 'wharf up --data-dir ${dataDir}'.`);
  }
  return [
    `export AWS_ENDPOINT_URL=${endpoint}`,
    `export AWS_ACCESS_KEY_ID=${creds.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}`,
    `export AWS_REGION=${region}`,
    `export AWS_DEFAULT_REGION=${region}`,
  ];
}

export function envCommand(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string" },
      host: { type: "string" },
      port: { type: "string" },
      region: { type: "string" },
    },
  });
  const host = values.host ?? DEFAULT_HOST;
  const endpoint = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${values.port ?? DEFAULT_PORT}`;
  process.stdout.write(envLines(endpoint, resolveDataDir(values["data-dir"]), values.region).join("\n") + "\n");
  return 0;
}
