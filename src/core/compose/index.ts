export { ComposeError, normalizeProjectName } from "./project.js";
export type { ComposeProject, ComposeService, ComposePort, ComposeMount, ComposeHealthcheck, ComposeDependency, ComposeBuild } from "./project.js";
export { normalizeProject, type NormalizeOptions } from "./normalize.js";
export { interpolate, interpolateString, parseEnvFile } from "./interpolate.js";
export { composeDurationSec, composeSizeMiB, nearestFargateSize, shellWords } from "./units.js";
export {
  convertProject,
  elbName,
  familyOf,
  secretNameOf,
  repositoryOf,
  volumeFileSystemId,
  PROJECT_TAG,
  SPEC_TAG,
  type ComposePlan,
  type ConvertContext,
  type PlannedService,
  type PlannedSecret,
  type PlannedSecurityGroup,
  type PlannedTargetGroup,
} from "./convert.js";
