import { AwsError } from "../../core/errors.js";

/** STS's errors, code and text as STS answers them. */
export const accessDenied = (message: string): AwsError => new AwsError("AccessDenied", message, 403);
export const notAuthorized = (callerArn: string, action: string, resource: string): AwsError =>
  accessDenied(`User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`);
export const validationError = (message: string): AwsError => new AwsError("ValidationError", message);
export const packedPolicyTooLarge = (percent: number): AwsError =>
  new AwsError("PackedPolicyTooLarge", `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
