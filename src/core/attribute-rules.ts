import type { Attribute } from "@aws-sdk/client-ecs";
import { invalidParameter } from "./errors.js";

const NAME_RE = /^[a-zA-Z0-9_./\\-]{1,128}$/;
const VALUE_RE = /^[a-zA-Z0-9_./\\:@ -]{1,128}$/;

/** ECS's attribute name/value rules; `custom` also checks targetType. */
export function validateAttribute(a: Attribute, custom: boolean): void {
  if (!a.name || !NAME_RE.test(a.name)) {
    throw invalidParameter(
      `Attribute name '${a.name ?? ""}' is invalid: it must be 1 to 128 letters, numbers, hyphens, underscores, periods, forward slashes or back slashes.`,
    );
  }
  if (a.value !== undefined && (!VALUE_RE.test(a.value) || a.value.startsWith(" ") || a.value.endsWith(" "))) {
    throw invalidParameter(
      `Attribute value '${a.value}' for '${a.name}' is invalid: it must be 1 to 128 letters, numbers, hyphens, underscores, periods, at signs, forward slashes, back slashes, colons or spaces, and may not start or end with a space.`,
    );
  }
  if (custom && a.targetType !== undefined && a.targetType !== "container-instance") {
    throw invalidParameter(`Invalid targetType '${a.targetType}': only container-instance is supported.`);
  }
}

