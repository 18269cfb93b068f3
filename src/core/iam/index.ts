/** IAM's policy language and evaluation, pure: what the authorizer at the edge calls. */
export { parsePolicy, malformed, type PolicyDocument, type PolicyKind, type Statement } from "./policy.js";
export { compilePolicy, loadPolicy, type CompiledPolicy } from "./compile.js";
export { buildContext, ContextMap, type AuthzRequest, type RequestFacts, type RequestPrincipal, type ContextValue } from "./context.js";
export { evaluate, denialReason, type Decision, type PolicySet, type DecidingStatement, type PolicyType } from "./evaluate.js";
export { checkAssumeRole, type AssumeRoleCheck, type AssumeRoleDecision } from "./trust.js";
export {
  authorizeCall,
  encodeAuthorizationMessage,
  decodeAuthorizationMessage,
  type AuthzItem,
  type AuthzFailure,
  type AuthorizationMessage,
} from "./authorize.js";
export { simulate, type SimPolicy, type SimulationInput, type SimulationResult, type PolicySourceType } from "./simulate.js";
