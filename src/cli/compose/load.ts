import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { parseDocument } from "yaml";
import { CliError } from "../args.js";
import { ComposeError, interpolate, normalizeProject, normalizeProjectName, parseEnvFile, type ComposeProject } from "../../core/compose/index.js";

/**
 * Reads a compose file as Compose does: finds it (-f, else compose.yaml / compose.yml /
 * docker-compose.yaml / docker-compose.yml in the working directory), parses the YAML (eemeli/yaml,
 * YAML 1.2 with merge keys), interpolates ${VARIABLES} from the environment over the project's
 * `.env`, validates the result against the Compose Specification's JSON schema
 * (schema/compose-spec.json), and normalizes it (src/core/compose/). Env files are read here.
 */

const CANDIDATES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];
const SCHEMA_PATH = fileURLToPath(new URL("../../../../schema/compose-spec.json", import.meta.url));

export interface LoadedProject {
  file: string;
  dir: string;
  project: ComposeProject;
  envFiles: Record<string, Record<string, string>>;
}

export interface LoadOptions {
  file?: string;
  projectName?: string;
  profiles?: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

let validator: ReturnType<Ajv["compile"]> | undefined;

function validate(doc: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    // The schema names draft-07 by its https URL, which Ajv knows as http://…#: the draft is Ajv's default anyway.
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
    validator = ajv.compile(schema);
  }
  return validator(doc) ? [] : (validator.errors ?? []);
}

/** Schema errors in Compose's words ("services.web.ports must be an array"), most specific first. */
function schemaReasons(errors: ErrorObject[]): string[] {
  const out = new Set<string>();
  const where = (p: string) => p.replace(/^\//, "").split("/").join(".") || "(top level)";
  for (const e of errors) {
    if (e.keyword === "oneOf" || e.keyword === "if") continue;
    if (e.keyword === "additionalProperties") out.add(`${where(e.instancePath)}: additional property '${(e.params as { additionalProperty: string }).additionalProperty}' is not allowed`);
    else out.add(`${where(e.instancePath)}: ${e.message}`);
  }
  return [...out];
}

export function loadProject(opts: LoadOptions): LoadedProject {
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ? resolve(cwd, opts.file) : CANDIDATES.map((c) => join(cwd, c)).find((c) => existsSync(c));
  if (!file) throw new CliError(`no compose file here (looked for ${CANDIDATES.join(", ")} in ${cwd}): pass one with -f`);
  if (!existsSync(file)) throw new CliError(`compose file ${file} does not exist`);
  const dir = dirname(file);
  const env = opts.env ?? process.env;
  const dotEnv = existsSync(join(dir, ".env")) ? parseEnvFile(readFileSync(join(dir, ".env"), "utf8"), join(dir, ".env")) : {};
  const vars: Record<string, string> = { ...dotEnv };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars[k] = v;
  const parsed = parseDocument(readFileSync(file, "utf8"), { merge: true });
  if (parsed.errors.length) throw new CliError(`${file}: ${parsed.errors.map((e) => e.message).join("; ")}`);
  const raw = parsed.toJS({ maxAliasCount: 1000 }) as unknown;
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new CliError(`${file}: a compose file is a mapping with a 'services' key`);
  let doc: Record<string, unknown>;
  try {
    doc = interpolate(raw, vars) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`${file}: ${(err as Error).message}`);
  }
  const errors = validate(doc);
  if (errors.length) throw new CliError(`${file} is not a valid compose file (Compose Specification schema):\n  - ${schemaReasons(errors).join("\n  - ")}`);
  const rawName = opts.projectName ?? env.COMPOSE_PROJECT_NAME ?? (typeof doc.name === "string" ? doc.name : basename(dir));
  const projectName = normalizeProjectName(rawName);
  if (!projectName) throw new CliError(`'${rawName}' gives no project name (lowercase letters, digits, dashes and underscores): pass -p NAME`);
  if (!/^[a-z0-9][a-z0-9-]{0,22}$/.test(projectName)) {
    throw new CliError(`project name '${projectName}' must be at most 23 lowercase letters, digits and dashes here (it names the cluster, the load balancer and the '${projectName}.local' namespace): pass -p NAME`);
  }
  let project: ComposeProject;
  try {
    project = normalizeProject(doc, { projectName, ...(opts.profiles ? { profiles: opts.profiles } : {}) });
  } catch (err) {
    if (err instanceof ComposeError) throw new CliError(`${file} cannot run on ECS:\n  - ${err.reasons.join("\n  - ")}`);
    throw err;
  }
  const envFiles: Record<string, Record<string, string>> = {};
  for (const s of project.services) {
    for (const f of s.envFiles) {
      const path = resolve(dir, f.path);
      if (!existsSync(path)) {
        if (f.required) throw new CliError(`services.${s.name}.env_file: ${path} does not exist`);
        continue;
      }
      try {
        envFiles[f.path] = parseEnvFile(readFileSync(path, "utf8"), path);
      } catch (err) {
        throw new CliError(`services.${s.name}.env_file: ${(err as Error).message}`);
      }
    }
  }
  return { file, dir, project, envFiles };
}
