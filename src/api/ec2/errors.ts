import { AwsError } from "../../core/errors.js";

/** EC2's errors (code and text as EC2 answers them). */
export const missingParameter = (name: string): AwsError => new AwsError("MissingParameter", `The request must contain the parameter ${name}`);
export const invalidValue = (message: string): AwsError => new AwsError("InvalidParameterValue", message);
export const invalidCombination = (message: string): AwsError => new AwsError("InvalidParameterCombination", message);
export const dependencyViolation = (message: string): AwsError => new AwsError("DependencyViolation", message);

/** `InvalidVpcID.NotFound: The vpc ID 'vpc-1' does not exist` (one id) or `… IDs 'a, b' do not exist`. */
export function notFound(code: string, noun: string, ids: string[]): AwsError {
  return ids.length === 1
    ? new AwsError(code, `The ${noun} ID '${ids[0]}' does not exist`)
    : new AwsError(code, `The ${noun} IDs '${ids.join(", ")}' do not exist`);
}

export const vpcNotFound = (ids: string[]) => notFound("InvalidVpcID.NotFound", "vpc", ids);
export const subnetNotFound = (ids: string[]) => notFound("InvalidSubnetID.NotFound", "subnet", ids);
export const igwNotFound = (ids: string[]) => notFound("InvalidInternetGatewayID.NotFound", "internetGateway", ids);
export const routeTableNotFound = (ids: string[]) => notFound("InvalidRouteTableID.NotFound", "routeTable", ids);
export const aclNotFound = (ids: string[]) => notFound("InvalidNetworkAclID.NotFound", "networkAcl", ids);
export const eniNotFound = (ids: string[]) => notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", ids);
export const ruleNotFound = (ids: string[]) => notFound("InvalidSecurityGroupRuleId.NotFound", "security group rule", ids);
export const groupNotFound = (id: string, vpcId?: string): AwsError =>
  new AwsError("InvalidGroup.NotFound", vpcId ? `The security group '${id}' does not exist in VPC '${vpcId}'` : `The security group '${id}' does not exist`);
export const associationNotFound = (id: string): AwsError =>
  new AwsError("InvalidAssociationID.NotFound", `The association ID '${id}' does not exist`);

/** A Describe call that names ids and asks for a page at once. */
export const idsWithMaxResults = (idsParam: string): AwsError =>
  invalidCombination(`The parameter ${idsParam} cannot be used with the parameter maxResults`);

/** Operations of the model Wharf has not built. */
export const ec2NotImplemented = (op: string): AwsError =>
  new AwsError("UnsupportedOperation", `EC2 ${op} is not implemented by Wharf yet.`);
