import { AwsError } from "../core/errors.js";
import type { Operation } from "../edge/service.js";
import { type ShapeModel, validateInput } from "../edge/shape-model.js";
import type { OperationSpec } from "./operation-spec.js";

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Model validation in the Query services' words (ELBv2, IAM, STS): every violation listed, paths
 * in camelCase (`1 validation error detected: Value '0' at 'pageSize' failed to satisfy
 * constraint: …`), code `ValidationError`.
 */
export function validateQueryInput(model: ShapeModel, name: string, raw: Record<string, unknown>): Record<string, unknown> {
  try {
    return validateInput(model, name, raw, { required: "not-null", pathName: lowerFirst });
  } catch (e) {
    if (e instanceof AwsError && e.code === "InvalidParameterException") throw new AwsError("ValidationError", e.message);
    throw e;
  }
}

/**
 * Every operation of a Query service's model: a built one validates its input and runs its spec,
 * an unbuilt one answers `notImplemented(name)`.
 */
export function queryOperations<D>(
  model: ShapeModel,
  specs: Record<string, OperationSpec<D>>,
  deps: D,
  notImplemented: (name: string) => AwsError,
): Record<string, Operation> {
  const operations: Record<string, Operation> = {};
  for (const name of Object.keys(model.operations)) {
    const impl = Object.hasOwn(specs, name) ? specs[name] : undefined;
    operations[name] = impl
      ? async (raw, ctx) => impl.run(deps, validateQueryInput(model, name, raw), ctx)
      : () => {
          throw notImplemented(name);
        };
  }
  return operations;
}
