import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { exampleFile } from "./harness.js";

/**
 * The real `terraform` binary with the hashicorp/aws provider from the machine's local mirror
 * (no registry is reached): a copy of one of examples/terraform-* in a test's own directory,
 * credentials of a test Wharf, and `init`/`apply`/`plan`/`destroy` as a user runs them.
 */

const run = promisify(execFile);
const MIRRORS = [process.env.WHARF_TF_MIRROR, "/opt/tf-plugins", "/usr/share/terraform/plugins", "/root/.terraform.d/plugins"].filter(
  (d): d is string => !!d,
);
const mirror = MIRRORS.find((d) => existsSync(join(d, "registry.terraform.io", "hashicorp", "aws")));
const hasTerraform = await run("terraform", ["version"]).then(
  () => true,
  () => false,
);

/** Why Terraform tests cannot run here (a `describe` skip reason), or false. */
export const terraformSkip: string | false = !hasTerraform
  ? "terraform is not installed"
  : !mirror
    ? "no local hashicorp/aws provider mirror (set WHARF_TF_MIRROR)"
    : false;

export interface TerraformDir {
  dir: string;
  /** Runs `terraform -chdir=DIR ARGS…` (rejects with the output on a non-zero exit). */
  tf(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** `plan -detailed-exitcode`'s exit code (0 = no changes, 2 = changes) and output. */
  planExitCode(...vars: string[]): Promise<{ code: number; out: string }>;
}

/** Copies examples/NAME into `parent/tf` with a CLI config using the local provider mirror. */
export function terraformExample(name: string, parent: string, credentials: { accessKeyId: string; secretAccessKey: string }): TerraformDir {
  const dir = join(parent, "tf");
  cpSync(exampleFile(name), dir, { recursive: true });
  const rc = join(parent, "terraform.rc");
  writeFileSync(
    rc,
    `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: rc,
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  const tf = (...args: string[]) => run("terraform", [`-chdir=${dir}`, ...args], { env, maxBuffer: 16 << 20 });
  return {
    dir,
    tf,
    planExitCode: (...vars) =>
      tf("plan", "-detailed-exitcode", "-input=false", "-no-color", ...vars).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
      ),
  };
}

/** One example stack as a test drives it: the example's variables are given once. */
export interface TerraformStack extends TerraformDir {
  init(): Promise<void>;
  apply(): Promise<void>;
  /** `terraform output -json`, parsed. */
  outputs<T = string>(): Promise<Record<string, { value: T }>>;
  /** `plan -detailed-exitcode` with the stack's variables. */
  plan(): Promise<{ code: number; out: string }>;
  destroy(): Promise<void>;
  /** For `after`: destroys what may be left after an apply (errors ignored) and removes the stack's directory. */
  cleanup(): Promise<void>;
}

/**
 * examples/NAME in a directory of its own (under `parent` when given, else a new temp directory),
 * with its `-var` values: `vars` maps variable names to values.
 */
export function terraformStack(
  name: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  vars: Record<string, string>,
  parent?: string,
): TerraformStack {
  const own = parent ? undefined : mkdtempSync(join(tmpdir(), `wharf-${name}-`));
  const t = terraformExample(name, parent ?? own!, credentials);
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
  const quiet = ["-input=false", "-no-color"];
  // Whether anything may exist: cleanup runs destroy only then (each terraform command costs seconds).
  let applied = false;
  const destroy = async () => {
    await t.tf("destroy", "-auto-approve", ...quiet, ...varArgs);
    applied = false;
  };
  return {
    ...t,
    init: async () => {
      await t.tf("init", ...quiet);
    },
    apply: async () => {
      applied = true;
      await t.tf("apply", "-auto-approve", ...quiet, ...varArgs);
    },
    outputs: async <T = string>() => JSON.parse((await t.tf("output", "-json", "-no-color")).stdout) as Record<string, { value: T }>,
    plan: () => t.planExitCode(...varArgs),
    destroy,
    cleanup: async () => {
      if (applied) await destroy().catch(() => undefined);
      rmSync(own ?? t.dir, { recursive: true, force: true });
    },
  };
}
