/**
 * The ECS console's "Download AWS CLI input" of a task definition: the `--cli-input-json` form of
 * `aws ecs register-task-definition`, i.e. a DescribeTaskDefinition answer with only the members
 * RegisterTaskDefinition takes. The describe-only fields (taskDefinitionArn, revision, status,
 * requiresAttributes, compatibilities, registeredAt, registeredBy, deregisteredAt…) are left out;
 * the tags DescribeTaskDefinition answers beside the definition go in. Pure: the web console
 * (console/) and the tests share it.
 */

/** RegisterTaskDefinitionRequest's members, in the API model's order (test/console-cli-input.test.ts checks it). */
export const REGISTER_TASK_DEFINITION_MEMBERS = [
  "family",
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "containerDefinitions",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "tags",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "runtimePlatform",
  "enableFaultInjection",
] as const;

/** A described task definition (and its tags, when asked for) → the register-task-definition input. */
export function cliInputOf(taskDefinition: Record<string, unknown>, tags?: readonly { key?: string; value?: string }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of REGISTER_TASK_DEFINITION_MEMBERS) {
    if (m === "tags") {
      if (tags && tags.length > 0) out.tags = tags.map((t) => ({ ...t }));
      continue;
    }
    const v = taskDefinition[m];
    if (v !== undefined && v !== null) out[m] = v;
  }
  return out;
}

/** The file names the console downloads under: `FAMILY-REVISION.json` and `FAMILY-REVISION-cli-input.json`. */
export function downloadNames(family: string, revision: number): { json: string; cliInput: string } {
  return { json: `${family}-revision${revision}.json`, cliInput: `${family}-revision${revision}-cli-input.json` };
}

/**
 * Parses edited task definition JSON for "Create new revision": the object, or the error in words
 * (where the JSON breaks, or what is not a task definition). Describe-only fields are dropped, as
 * the CLI input form drops them, so a pasted DescribeTaskDefinition answer registers too.
 */
export function parseRevisionInput(text: string): { input: Record<string, unknown> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { error: `The JSON is not valid: ${(e as Error).message}` };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { error: "The JSON must be an object (a task definition)." };
  const obj = parsed as Record<string, unknown>;
  const td = (obj.taskDefinition && typeof obj.taskDefinition === "object" ? obj.taskDefinition : obj) as Record<string, unknown>;
  const input = cliInputOf(td, Array.isArray(obj.tags) ? (obj.tags as { key?: string; value?: string }[]) : undefined);
  if (typeof input.family !== "string" || input.family === "") return { error: "family is required." };
  if (!Array.isArray(input.containerDefinitions)) return { error: "containerDefinitions is required (a list)." };
  return { input };
}
