import { AwsError } from "../errors.js";
import { latest, type ParameterDoc, underPath } from "./parameters.js";

/**
 * DescribeParameters' and GetParametersByPath's filters (`ParameterStringFilter`: Key, Option,
 * Values; and DescribeParameters' older `Filters`), pure.
 */
export interface StringFilter {
  Key: string;
  Option?: string;
  Values?: string[];
}

const invalidKey = (m: string) => new AwsError("InvalidFilterKey", m);
const invalidOption = (m: string) => new AwsError("InvalidFilterOption", m);
const invalidValue = (m: string) => new AwsError("InvalidFilterValue", m);

const OPTIONS: Record<string, string[]> = {
  Name: ["Equals", "BeginsWith", "Contains"],
  Path: ["Recursive", "OneLevel"],
  Type: ["Equals", "BeginsWith"],
  KeyId: ["Equals", "BeginsWith"],
  Tier: ["Equals"],
  DataType: ["Equals"],
  Label: ["Equals"],
};

/** Which keys each operation takes: GetParametersByPath's path does the Name/Path work itself. */
export const DESCRIBE_KEYS = ["Name", "Path", "Type", "KeyId", "Tier", "DataType"];
export const BY_PATH_KEYS = ["Type", "KeyId", "Label"];

/** Checks the filters (keys, options, values) as the operation does. */
export function checkFilters(filters: StringFilter[], keys: string[]): void {
  for (const f of filters) {
    const tag = f.Key.startsWith("tag:");
    if (!tag && !keys.includes(f.Key)) {
      throw invalidKey(`The following filter key is not valid: ${f.Key}. Valid filter keys include: [${keys.join(", ")}].`);
    }
    const options = tag ? ["Equals"] : OPTIONS[f.Key]!;
    if (f.Option !== undefined && !options.includes(f.Option)) {
      throw invalidOption(`The following filter option is not valid: ${f.Option}. Valid options include: [${options.join(", ")}].`);
    }
    if (!tag && (f.Values ?? []).length === 0) throw invalidValue(`The following filter values are missing : null for filter key ${f.Key}.`);
    if (f.Key === "Path") for (const v of f.Values ?? []) if (!v.startsWith("/")) throw invalidValue(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/".`);
  }
}

const matchText = (option: string | undefined, have: string, want: string): boolean =>
  option === "BeginsWith" ? have.startsWith(want) : option === "Contains" ? have.includes(want) : have === want;

/** Does the parameter (its newest version) pass every filter? */
export function passes(doc: ParameterDoc, filters: StringFilter[]): boolean {
  const v = latest(doc);
  return filters.every((f) => {
    const values = f.Values ?? [];
    if (f.Key.startsWith("tag:")) {
      const tag = doc.tags.find((t) => t.Key === f.Key.slice(4));
      return !!tag && (values.length === 0 || values.includes(tag.Value));
    }
    switch (f.Key) {
      case "Name": {
        const name = doc.name.startsWith("/") ? doc.name : `/${doc.name}`;
        return values.some((w) => matchText(f.Option, doc.name, w) || matchText(f.Option, name, w.startsWith("/") ? w : `/${w}`));
      }
      case "Path":
        return values.some((p) => underPath(doc.name, p, f.Option === "Recursive"));
      case "Type":
        return values.some((w) => matchText(f.Option, v.type, w));
      case "KeyId":
        return v.keyId !== undefined && values.some((w) => matchText(f.Option, v.keyId!, w));
      case "Tier":
        return values.includes(v.tier);
      case "DataType":
        return values.includes(v.dataType);
      case "Label":
        return doc.versions.some((x) => x.labels.some((l) => values.includes(l)));
      default:
        return false;
    }
  });
}

/** DescribeParameters' older `Filters` (Key Name | Type | KeyId, Values): Name by prefix, the others equal. */
export function legacyFilters(filters: { Key?: string; Values?: string[] }[]): StringFilter[] {
  return filters.map((f) => ({ Key: f.Key!, Option: f.Key === "Name" ? "BeginsWith" : "Equals", Values: f.Values ?? [] }));
}
