/** Task definitions: validation, computed fields and references, all pure. */
export { buildTaskDefinition, effectiveNetworkMode, type RegistrationMeta, type TaskDefinitionDoc } from "./build.js";
export { HEALTH_CHECK_LIMITS, isEssential } from "./containers.js";
export { arnOfRef, parseTaskDefinitionRef, type TaskDefinitionRef } from "./ref.js";
export { isEcrImage, requiredAttributes } from "./requires-attributes.js";
export { FARGATE_SIZES, isFargateSize, parseTaskCpu, parseTaskMemory } from "./resources.js";
export { MAX_CONTAINERS, NETWORK_MODES, checkFamily, validateRegisterInput, type ValidatedInput } from "./validate.js";
