import { AwsError } from "../errors.js";

/**
 * EC2's Describe* filters: `Filter.N.Name` with `Filter.N.Value.M`. Values of one filter are ORed,
 * filters are ANDed; values may use `*` (any run) and `?` (one character), `\` escapes them;
 * `tag:KEY`, `tag-key` and `tag-value` work on every taggable resource. An unknown filter name is
 * refused as EC2 refuses it.
 */
export interface Ec2Filter {
  Name?: string;
  Values?: string[];
}

export interface Ec2Tag {
  Key?: string;
  Value?: string;
}

/** How each filter name reads an item: strings, numbers, booleans or lists of them (undefined: no value). */
export type FilterTable<T> = Readonly<Record<string, (item: T) => unknown>>;

export const invalidFilter = (name: string): AwsError => new AwsError("InvalidParameterValue", `The filter '${name}' is invalid`);

function values(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap(values);
  if (typeof v === "boolean") return [v ? "true" : "false"];
  return [String(v)];
}

/** An EC2 filter value as a whole-string matcher (`*`, `?`, `\*`, `\?`, `\\`). */
export function filterPattern(value: string): RegExp {
  let re = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === "\\" && i + 1 < value.length) re += escapeRe(value[++i]!);
    else if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`);
}

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** The items every filter accepts, in their order. */
export function applyFilters<T>(
  items: T[],
  filters: Ec2Filter[] | undefined,
  table: FilterTable<T>,
  tagsOf?: (item: T) => Ec2Tag[] | undefined,
): T[] {
  if (!filters || filters.length === 0) return items;
  const tests = filters.map((f) => {
    const name = f.Name ?? "";
    const patterns = (f.Values ?? []).map(filterPattern);
    let read: (item: T) => string[];
    if (tagsOf && name.startsWith("tag:")) {
      const key = name.slice(4);
      read = (item) => (tagsOf(item) ?? []).filter((t) => t.Key === key).map((t) => t.Value ?? "");
    } else if (tagsOf && name === "tag-key") read = (item) => (tagsOf(item) ?? []).map((t) => t.Key ?? "");
    else if (tagsOf && name === "tag-value") read = (item) => (tagsOf(item) ?? []).map((t) => t.Value ?? "");
    else if (Object.hasOwn(table, name)) read = (item) => values(table[name]!(item));
    else throw invalidFilter(name);
    return (item: T) => {
      const have = read(item);
      return patterns.some((p) => have.some((v) => p.test(v)));
    };
  });
  return items.filter((item) => tests.every((t) => t(item)));
}
