import type {
  CreateServiceRequest,
  DeploymentConfiguration,
  LoadBalancer,
  NetworkConfiguration,
  PlacementConstraint,
  PlacementStrategy,
  ServiceRegistry,
} from "@aws-sdk/client-ecs";
import { requestFingerprint } from "../../core/fingerprint.js";
import { invalidParameter } from "../../core/errors.js";
import { validateRequest } from "../../core/placement/index.js";
import type { PlacementRequest } from "../../core/placement/index.js";
import type { TaskDefinitionDoc } from "../../core/task-definition/index.js";

/** CreateService/UpdateService input checks ECS makes, with ECS's messages where known. */

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const TARGET_GROUP_RE = /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]*:\d{12}:targetgroup\/.+/;
const REGISTRY_RE = /^arn:aws[a-z-]*:servicediscovery:[a-z0-9-]*:\d{12}:service\/.+/;

export function validateServiceName(name: string): void {
  if (!NAME_RE.test(name)) {
    throw invalidParameter(
      "Service name can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.",
    );
  }
}

export function validateClientToken(token: string | undefined): void {
  if (token === undefined) return;
  if (token.length < 1 || token.length > 36 || !/^[\x21-\x7e]+$/.test(token)) {
    throw invalidParameter("clientToken must be up to 36 ASCII characters in the range 33-126.");
  }
}

export function validateDesiredCount(n: number | undefined): void {
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) {
    throw invalidParameter("Desired count must be greater than or equal to 0.");
  }
}

/** Fills ECS's defaults (REPLICA 100/200, DAEMON 0/100; circuit breaker off) and checks ranges. */
export function deploymentConfigurationOf(
  given: DeploymentConfiguration | undefined,
  strategy: string,
  base?: DeploymentConfiguration,
): DeploymentConfiguration {
  const daemon = strategy === "DAEMON";
  const out: DeploymentConfiguration = {
    deploymentCircuitBreaker: given?.deploymentCircuitBreaker ?? base?.deploymentCircuitBreaker ?? { enable: false, rollback: false },
    maximumPercent: given?.maximumPercent ?? base?.maximumPercent ?? (daemon ? 100 : 200),
    minimumHealthyPercent: given?.minimumHealthyPercent ?? base?.minimumHealthyPercent ?? (daemon ? 0 : 100),
  };
  const alarms = given?.alarms ?? base?.alarms;
  if (alarms) out.alarms = alarms;
  const strat = given?.strategy ?? base?.strategy;
  if (strat && strat !== "ROLLING") throw invalidParameter(`Wharf supports the ROLLING deployment strategy only, not ${strat}.`);
  if (strat) out.strategy = strat;
  const min = out.minimumHealthyPercent!;
  const max = out.maximumPercent!;
  if (!Number.isInteger(min) || min < 0 || min > 100) {
    throw invalidParameter("minimumHealthyPercent must be between 0 and 100.");
  }
  if (!Number.isInteger(max) || max < (daemon ? 0 : 100)) {
    throw invalidParameter(`maximumPercent must be at least ${daemon ? 0 : 100}.`);
  }
  if (daemon && max > 100) throw invalidParameter("maximumPercent can not be greater than 100 for DAEMON services.");
  return out;
}

export function validatePlacement(constraints: PlacementConstraint[] = [], strategy: PlacementStrategy[] = []): void {
  validateRequest({
    count: 1,
    task: { cpu: 0, memory: 0 },
    constraints,
    strategy,
  } as unknown as PlacementRequest);
}

/** Load balancers are stored; their traffic side comes with the load-balancing issue. */
export function validateLoadBalancers(lbs: LoadBalancer[] = [], td: TaskDefinitionDoc | undefined): void {
  if (lbs.length > 5) throw invalidParameter("Too many load balancers. A service can have at most 5 target groups.");
  for (const lb of lbs) {
    if (lb.targetGroupArn && lb.loadBalancerName) {
      throw invalidParameter("Target group ARN and load balancer name cannot both be specified.");
    }
    if (!lb.targetGroupArn && !lb.loadBalancerName) {
      throw invalidParameter("Either a target group ARN or a load balancer name must be specified.");
    }
    if (lb.targetGroupArn && !TARGET_GROUP_RE.test(lb.targetGroupArn)) {
      throw invalidParameter(`Target group ARN '${lb.targetGroupArn}' is not valid.`);
    }
    if (!lb.containerName) throw invalidParameter("Container name must be specified for a load balancer.");
    if (lb.containerPort === undefined) throw invalidParameter("Container port must be specified for a load balancer.");
    checkContainerPort(td, lb.containerName, lb.containerPort, "load balancer");
  }
}

export function validateServiceRegistries(regs: ServiceRegistry[] = [], td: TaskDefinitionDoc | undefined): void {
  if (regs.length > 1) throw invalidParameter("Only one service registry is supported per service.");
  for (const r of regs) {
    if (!r.registryArn || !REGISTRY_RE.test(r.registryArn)) {
      throw invalidParameter(`Service registry ARN '${r.registryArn ?? ""}' is not valid.`);
    }
    if (r.port !== undefined && (r.port < 0 || r.port > 65535)) throw invalidParameter("Service registry port is out of range.");
    if (r.containerName) checkContainerPort(td, r.containerName, r.containerPort, "service registry");
  }
}

function checkContainerPort(td: TaskDefinitionDoc | undefined, name: string, port: number | undefined, what: string) {
  if (!td) return;
  const c = (td.containerDefinitions ?? []).find((x) => x.name === name);
  if (!c) throw invalidParameter(`The container ${name} does not exist in the task definition.`);
  if (port === undefined) return;
  if (port < 0 || port > 65535) throw invalidParameter(`The ${what} container port ${port} is out of range.`);
  const ports = (c.portMappings ?? []).map((m) => m.containerPort);
  if (!ports.includes(port)) {
    throw invalidParameter(`The container ${name} did not have a container port ${port} defined.`);
  }
}

/** awsvpc task definitions need a network configuration; other modes refuse one. */
export function validateNetwork(net: NetworkConfiguration | undefined, td: TaskDefinitionDoc | undefined): void {
  const mode = td?.networkMode ?? "bridge";
  if (mode === "awsvpc" && !net?.awsvpcConfiguration) {
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  }
  if (mode !== "awsvpc" && net?.awsvpcConfiguration && td) {
    throw invalidParameter("Network Configuration is not valid for the given networkMode of this task definition.");
  }
  const vpc = net?.awsvpcConfiguration;
  if (vpc) {
    if ((vpc.subnets ?? []).length < 1 || (vpc.subnets ?? []).length > 16) {
      throw invalidParameter("subnets can have at least 1 and at most 16 items.");
    }
    if ((vpc.securityGroups ?? []).length > 5) throw invalidParameter("securityGroups can have at most 5 items.");
  }
}

/** A stable fingerprint of a CreateService request, clientToken aside (idempotency). */
export const fingerprint = (input: CreateServiceRequest): string => requestFingerprint(input);
