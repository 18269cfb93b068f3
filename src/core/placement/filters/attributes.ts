import type { RequiredAttribute } from "../types.js";
import type { Filter } from "./filter.js";

/**
 * The task definition's requiresAttributes: each must exist on the instance and, when it names a
 * value, have exactly that value. ECS reports a mismatch as ATTRIBUTE.
 */
export function attributesFilter(required: RequiredAttribute[]): Filter {
  const wanted = required.map((a) => ({ name: a.name, value: a.value }));
  const missing = (attrs: Map<string, string | null>) =>
    wanted.find((a) => !attrs.has(a.name) || (a.value !== undefined && attrs.get(a.name) !== a.value));
  return {
    reason: "ATTRIBUTE",
    static: true,
    key: `attrs:${JSON.stringify(wanted.map((a) => [a.name, a.value ?? null]).sort())}`,
    test: (ix, s) => missing(ix.attributes[s]!) === undefined,
    detail: (ix, s) => {
      const attrs = ix.attributes[s]!;
      const a = missing(attrs)!;
      if (!attrs.has(a.name)) return `missing attribute ${a.name}`;
      return `attribute ${a.name} is '${attrs.get(a.name) ?? ""}', needs '${a.value}'`;
    },
  };
}
