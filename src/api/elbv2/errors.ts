import { AwsError } from "../../core/errors.js";

/** ELBv2's errors (code and text as ELB answers them; HTTP 400, `Sender`). */
export const validationError = (message: string): AwsError => new AwsError("ValidationError", message);
export const invalidConfiguration = (message: string): AwsError => new AwsError("InvalidConfigurationRequest", message);

export const loadBalancerNotFound = (names?: string[]): AwsError =>
  new AwsError("LoadBalancerNotFound", names?.length ? `Load balancers '[${names.join(", ")}]' not found` : "One or more load balancers not found");
export const targetGroupNotFound = (names?: string[]): AwsError =>
  new AwsError("TargetGroupNotFound", names?.length ? `Target groups '[${names.join(", ")}]' not found` : "One or more target groups not found");
export const listenerNotFound = (): AwsError => new AwsError("ListenerNotFound", "One or more listeners not found");
export const ruleNotFound = (): AwsError => new AwsError("RuleNotFound", "One or more rules not found");

export const duplicateLoadBalancerName = (name: string): AwsError =>
  new AwsError("DuplicateLoadBalancerName", `A load balancer with the same name '${name}' exists, but with different settings`);
export const duplicateTargetGroupName = (name: string): AwsError =>
  new AwsError("DuplicateTargetGroupName", `A target group with the same name '${name}' exists, but with different settings`);
export const duplicateListener = (): AwsError => new AwsError("DuplicateListener", "A listener already exists on this port for this load balancer");
export const priorityInUse = (priority: number): AwsError => new AwsError("PriorityInUse", `Priority '${priority}' is currently in use`);
export const resourceInUse = (message: string): AwsError => new AwsError("ResourceInUse", message);
export const operationNotPermitted = (message: string): AwsError => new AwsError("OperationNotPermitted", message);
export const subnetNotFound = (): AwsError => new AwsError("SubnetNotFound", "One or more subnets not found");
export const invalidSecurityGroup = (id: string): AwsError => new AwsError("InvalidSecurityGroup", `Security group '${id}' does not exist`);
export const invalidTarget = (message: string): AwsError => new AwsError("InvalidTarget", message);
export const incompatibleProtocols = (message: string): AwsError => new AwsError("IncompatibleProtocols", message);
export const unsupportedProtocol = (message: string): AwsError => new AwsError("UnsupportedProtocol", message);
export const duplicateTagKeys = (): AwsError => new AwsError("DuplicateTagKeys", "Duplicate Tag Keys found in the request. Tag keys should be unique.");
export const tooManyTags = (): AwsError => new AwsError("TooManyTags", "The quota for the number of tags that can be assigned to a load balancer has been reached");

/** `'x' is not a valid load balancer ARN` (ValidationError), for an ARN of the wrong form. */
export const notAnArn = (value: string, what: string): AwsError => validationError(`'${value}' is not a valid ${what} ARN`);

/** Operations of the model Wharf has not built. */
export const elbNotImplemented = (op: string): AwsError =>
  new AwsError("UnsupportedOperation", `Elastic Load Balancing ${op} is not implemented by Wharf yet.`);

/** TLS listeners and HTTPS target traffic: Wharf's data plane serves no TLS yet, and says so. */
export const noTls = (protocol: string): AwsError =>
  unsupportedProtocol(`Wharf does not serve ${protocol} listeners yet: its load balancer data plane has no TLS termination. Use HTTP or TCP.`);
