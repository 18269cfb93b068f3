import { AwsError } from "../../core/errors.js";
import { wireName } from "../../edge/protocols/query-input.js";
import type { Shape, ShapeModel, ValidationReporter, ValuePath } from "../../edge/shape-model.js";
import { missingParameter } from "./errors.js";

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The EC2 wire name of the member a path ends at (`Description` of CreateSecurityGroup → `GroupDescription`). */
function wireNameAt(model: ShapeModel, root: string, path: ValuePath): string {
  let shape: Shape | undefined = model.shapes[root];
  let name = "";
  for (const seg of path) {
    if (!shape) break;
    if (typeof seg === "number") {
      shape = shape.t === "l" ? model.shapes[shape.m as string] : undefined;
      continue;
    }
    if (shape.t !== "o") break;
    name = wireName("ec2", shape, seg);
    shape = model.shapes[(shape.m as Record<string, string>)[seg] ?? ""];
  }
  return name;
}

/**
 * EC2 answers bad input with its own codes and texts (not the JSON services' validation list):
 * a missing required member is `MissingParameter` ("The request must contain the parameter
 * GroupName"), a value outside the model's constraints is `InvalidParameterValue` ("Value ( 1 )
 * for parameter maxResults is invalid. Expecting a value greater than 5.").
 */
export function ec2Reporter(model: ShapeModel, operation: string): ValidationReporter {
  const root = model.operations[operation] ?? "";
  return {
    missing: (path) => missingParameter(wireNameAt(model, root, path)),
    violation(value, path, rule) {
      const name = lowerFirst(wireNameAt(model, root, path));
      const shown = typeof value === "string" ? value : JSON.stringify(value);
      const bad = (suffix: string) => new AwsError("InvalidParameterValue", `Value (${shown}) for parameter ${name} is invalid.${suffix}`);
      switch (rule.kind) {
        case "min":
          return rule.of === "value"
            ? new AwsError("InvalidParameterValue", `Value ( ${shown} ) for parameter ${name} is invalid. Expecting a value greater than ${rule.bound}.`)
            : bad(` Length must be at least ${rule.bound}.`);
        case "max":
          return rule.of === "value"
            ? new AwsError("InvalidParameterValue", `Value ( ${shown} ) for parameter ${name} is invalid. Expecting a value less than ${rule.bound}.`)
            : bad(` Length exceeds maximum of ${rule.bound}.`);
        case "enum":
          return bad(` Valid values: ${rule.values.join(", ")}.`);
        default:
          return bad("");
      }
    },
  };
}
