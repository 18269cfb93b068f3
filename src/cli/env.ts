import { DATA_DIR_DEFAULT_TEXT, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_REGION, defaultHost, defaultPort, loadRootCredentials, resolveDataDir } from "../config.js";
import { CliError, HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";

/** The environment that points the AWS CLI and SDKs at a Wharf endpoint. */
export function envLines(endpoint: string, dataDir: string, region = DEFAULT_REGION): string[] {
  const creds = loadRootCredentials(dataDir, false);
  if (!creds) {
    throw new CliError(`no credentials in ${dataDir} yet: start Wharf first with 'wharf up' (or pass --data-dir / WHARF_DATA_DIR naming the server's data dir).`);
  }
  return [
    `export AWS_ENDPOINT_URL=${endpoint}`,
    `export AWS_ACCESS_KEY_ID=${creds.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}`,
    `export AWS_REGION=${region}`,
    `export AWS_DEFAULT_REGION=${region}`,
    // Cloud Map's DiscoverInstances would otherwise go to data-<host>, a name a local endpoint lacks.
    "export AWS_DISABLE_HOST_PREFIX_INJECTION=true",
  ];
}

export const ENV_OPTIONS = {
  "data-dir": { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  region: { type: "string" },
  ...HELP_OPTION,
} as const;

export const ENV_HELP = `wharf env — print the export lines that point the AWS CLI and SDKs at Wharf
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_DEFAULT_REGION,
AWS_DISABLE_HOST_PREFIX_INJECTION: Cloud Map's DiscoverInstances goes to data-<host> otherwise)

Usage: eval "$(wharf env [options])"

  --data-dir DIR          the server's data dir, where its credentials are (default WHARF_DATA_DIR,
                          else ${DATA_DIR_DEFAULT_TEXT})
  --host HOST             the server's address (default WHARF_HOST, else ${DEFAULT_HOST})
  --port PORT             the server's port (default WHARF_PORT, else ${DEFAULT_PORT})
  --region REGION         the Region to sign for (default ${DEFAULT_REGION})
${HELP_LINE}
WHARF_ACCESS_KEY_ID / WHARF_SECRET_ACCESS_KEY, when set, are printed instead of the data dir's.
`;

export function envCommand(argv: string[]): number {
  const { values } = parseCommandArgs("env", argv, ENV_OPTIONS);
  if (values.help) {
    process.stdout.write(ENV_HELP);
    return 0;
  }
  const host = values.host ?? defaultHost();
  const endpoint = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${values.port ?? defaultPort()}`;
  process.stdout.write(envLines(endpoint, resolveDataDir(values["data-dir"]), values.region).join("\n") + "\n");
  return 0;
}
