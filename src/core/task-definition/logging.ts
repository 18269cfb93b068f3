import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { clientException } from "../errors.js";
import { firelensOptionsProblem } from "../log-route.js";

/**
 * Registration rules for container logging. `awslogs` needs its group (ECS's own check and
 * wording). FireLens: a task whose containers use `awsfirelens` needs exactly one log router
 * (a container with `firelensConfiguration`), and Wharf's agent — which routes the lines
 * itself instead of running Fluent Bit's configuration — refuses here, not at run time, what
 * it could not route: other outputs (S3, Kinesis, Firehose, …), unknown options, custom
 * configuration files.
 */
export function checkLogging(containers: ContainerDefinition[]): void {
  for (const c of containers) {
    const log = c.logConfiguration;
    if (log?.logDriver === "awslogs" && !log.options?.["awslogs-group"]) {
      throw clientException("Log driver awslogs option 'awslogs-group' should not be null or empty.");
    }
  }
  const routers = containers.filter((c) => c.firelensConfiguration);
  if (routers.length > 1) {
    throw clientException(
      `Only one container in a task definition can have firelensConfiguration (found ${routers.map((c) => `'${c.name}'`).join(", ")}).`,
    );
  }
  const router = routers[0];
  if (router) {
    for (const key of Object.keys(router.firelensConfiguration?.options ?? {})) {
      if (key === "enable-ecs-log-metadata") {
        const v = router.firelensConfiguration!.options![key];
        if (v !== "true" && v !== "false") {
          throw clientException(`firelensConfiguration option 'enable-ecs-log-metadata' must be "true" or "false" (container '${router.name}').`);
        }
        continue;
      }
      if (key === "config-file-type" || key === "config-file-value") {
        throw clientException(
          `firelensConfiguration option '${key}' is not supported by Wharf (container '${router.name}'): Wharf's agent routes FireLens logs itself and does not load Fluent Bit or Fluentd configuration files. Describe the destination in each container's awsfirelens logConfiguration options instead.`,
        );
      }
      throw clientException(`firelensConfiguration option '${key}' is not supported (container '${router.name}'). Supported: enable-ecs-log-metadata.`);
    }
    if (router.logConfiguration?.logDriver === "awsfirelens") {
      throw clientException(`The log router container '${router.name}' cannot use the awsfirelens log driver itself.`);
    }
  }
  for (const c of containers) {
    if (c.logConfiguration?.logDriver !== "awsfirelens") continue;
    if (!router) {
      throw clientException(
        `Container '${c.name}' uses the awsfirelens log driver, but the task definition has no log router: add a container with firelensConfiguration (type fluentbit or fluentd).`,
      );
    }
    const problem = firelensOptionsProblem(c);
    if (problem) throw clientException(problem);
  }
}
