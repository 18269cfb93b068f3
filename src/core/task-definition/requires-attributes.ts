import type { Attribute, ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";

/**
 * `requiresAttributes`: the container-instance attributes ECS derives from a task definition,
 * which placement then matches against what each instance's agent advertises.
 *
 * AWS does not publish the mapping; this one is reconstructed from the feature notes in the
 * API model ("requires version 1.18 of the Docker Remote API", …) and from many real
 * DescribeTaskDefinition outputs, e.g.
 *   - awsvpc                       → ecs.capability.task-eni, docker-remote-api.1.18
 *   - logConfiguration             → logging-driver.<driver>, docker-remote-api.1.18; options → 1.19
 *   - awslogs-create-group / healthCheck.startPeriod (Docker 17.05 features) → 1.29
 *   - ECR image                    → ecr-auth; with an execution role also execution-role-ecr-pull
 *   - awslogs with an execution role → ecs.capability.execution-role-awslogs
 *   - taskRoleArn → task-iam-role; healthCheck → container-health-check; dependsOn → container-ordering
 * Real ECS lists them in no particular order; Wharf lists them sorted so output is stable.
 */

const LEGACY = "com.amazonaws.ecs.capability.";
const CAP = "ecs.capability.";
const dockerApi = (v: string) => `${LEGACY}docker-remote-api.${v}`;

/** An image in an ECR registry (private, incl. China and FIPS hosts). */
export const isEcrImage = (image: string | undefined): boolean =>
  /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(image ?? "");

export function requiredAttributes(input: RegisterTaskDefinitionRequest, networkMode: string): Attribute[] {
  const names = new Set<string>();
  const containers = input.containerDefinitions ?? [];
  const hasExecRole = !!input.executionRoleArn;

  if (networkMode === "awsvpc") {
    names.add(`${CAP}task-eni`);
    names.add(dockerApi("1.18"));
  }
  if (input.taskRoleArn) {
    names.add(`${LEGACY}task-iam-role`);
    if (networkMode === "host") names.add(`${LEGACY}task-iam-role-network-host`);
  }
  if (input.pidMode || input.ipcMode) names.add(`${CAP}pid-ipc-namespace-sharing`);
  if (input.proxyConfiguration) names.add(`${CAP}aws-appmesh`);
  for (const v of input.volumes ?? []) {
    if (v.efsVolumeConfiguration) {
      names.add(`${CAP}efs`);
      names.add(`${CAP}efsAuth`);
    }
    const driver = v.dockerVolumeConfiguration?.driver;
    if (v.dockerVolumeConfiguration) names.add(dockerApi("1.25"));
    if (driver && driver !== "local") names.add(`${LEGACY}docker-plugin.${driver}`);
  }
  for (const c of containers) addContainerAttributes(c, names, hasExecRole);
  return [...names].sort().map((name) => ({ name }));
}

function addContainerAttributes(c: ContainerDefinition, names: Set<string>, hasExecRole: boolean): void {
  if (isEcrImage(c.image)) {
    names.add(`${LEGACY}ecr-auth`);
    if (hasExecRole) names.add(`${CAP}execution-role-ecr-pull`);
  }
  if (c.repositoryCredentials) names.add(`${CAP}private-registry-authentication.secretsmanager`);
  const log = c.logConfiguration;
  if (log?.logDriver) {
    names.add(`${LEGACY}logging-driver.${log.logDriver}`);
    names.add(dockerApi("1.18"));
    if (log.options && Object.keys(log.options).length > 0) names.add(dockerApi("1.19"));
    if (log.options?.["awslogs-create-group"] !== undefined) names.add(dockerApi("1.29"));
    if (log.logDriver === "awslogs" && hasExecRole) names.add(`${CAP}execution-role-awslogs`);
  }
  if (c.firelensConfiguration) {
    names.add(`${CAP}firelens.${c.firelensConfiguration.type === "fluentd" ? "fluentd" : "fluentbit"}`);
    if (c.firelensConfiguration.options?.["config-file-type"]) {
      names.add(`${CAP}firelens.options.config.${c.firelensConfiguration.options["config-file-type"]}`);
    }
  }
  if (c.dockerLabels && Object.keys(c.dockerLabels).length > 0) names.add(dockerApi("1.18"));
  if (c.ulimits && c.ulimits.length > 0) names.add(dockerApi("1.18"));
  if (c.user !== undefined || c.readonlyRootFilesystem) names.add(dockerApi("1.17"));
  if (c.privileged) names.add(`${LEGACY}privileged-container`);
  if (c.linuxParameters?.initProcessEnabled) names.add(dockerApi("1.25"));
  if (c.healthCheck) {
    names.add(`${CAP}container-health-check`);
    if (c.healthCheck.startPeriod !== undefined) names.add(dockerApi("1.29"));
  }
  if (c.dependsOn && c.dependsOn.length > 0) names.add(`${CAP}container-ordering`);
  for (const s of c.secrets ?? []) {
    names.add(`${CAP}secrets.${/^arn:aws[a-z-]*:secretsmanager:/.test(s.valueFrom ?? "") ? "asm" : "ssm"}.environment-variables`);
  }
  if (c.environmentFiles && c.environmentFiles.length > 0) names.add(`${CAP}env-files.s3`);
  for (const opt of c.dockerSecurityOptions ?? []) {
    if (opt.startsWith("label:")) names.add(`${LEGACY}selinux`);
    if (opt.startsWith("apparmor:")) names.add(`${LEGACY}apparmor`);
  }
}
