import { partitionOf } from "../arn.js";
import { AwsError } from "../errors.js";

/**
 * SSM Parameter Store's rules, pure: names and ARNs, version selectors (`name:3`, `name:label`),
 * the versions and labels of one parameter, tiers and allowed patterns. Values arrive here as
 * they are stored (a SecureString's sealed, by the API's SecretBox).
 */

export type ParameterType = "String" | "StringList" | "SecureString";
export type ParameterTier = "Standard" | "Advanced";

/** One version of a parameter, as stored. */
export interface ParameterVersion {
  version: number;
  type: ParameterType;
  /** The value as given (String, StringList) or sealed (SecureString). */
  value: string;
  /** SecureString: the KMS-style key id recorded (`alias/aws/ssm` by default). */
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: ParameterTier;
  dataType: string;
  labels: string[];
  /** Epoch seconds. */
  lastModifiedDate: number;
  lastModifiedUser: string;
}

/** A stored parameter (kind `ssm-parameter`): every version kept (up to 100), the newest last. */
export interface ParameterDoc {
  accountId: string;
  region: string;
  name: string;
  versions: ParameterVersion[];
  tags: { Key: string; Value: string }[];
}

export const DEFAULT_SSM_KEY = "alias/aws/ssm";
export const MAX_VERSIONS = 100;
export const MAX_LABELS_PER_VERSION = 10;
const STANDARD_MAX_VALUE = 4096;
const ADVANCED_MAX_VALUE = 8192;
const MAX_DEPTH = 15;

export const validation = (message: string): AwsError => new AwsError("ValidationException", message);
export const parameterNotFound = (message = ""): AwsError => new AwsError("ParameterNotFound", message);
export const versionNotFound = (name: string, v: string): AwsError =>
  new AwsError("ParameterVersionNotFound", `Systems Manager could not find version ${v} of ${name}. Verify the version and try again.`);

/** `arn:aws:ssm:R:A:parameter/NAME` with NAME's leading slash dropped. */
export function parameterArn(accountId: string, region: string, name: string): string {
  return `arn:${partitionOf(region)}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, "")}`;
}

/** A name given as a parameter ARN of this account and Region becomes its name (`/a/b` or `a`); others are kept. */
export function nameFromArn(given: string, accountId: string, region: string): string {
  const m = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):parameter(\/.+)$/.exec(given);
  if (!m || m[1] !== region || m[2] !== accountId) return given;
  const rest = m[3]!;
  // A hierarchical name keeps its slash; a plain one (`parameter/x`) had none.
  return rest.lastIndexOf("/") > 0 ? rest : rest.slice(1);
}

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;

/** Checks a parameter name as PutParameter does. */
export function checkParameterName(name: string): void {
  const bad = () =>
    validation(
      'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_',
    );
  if (name.includes("/") && !name.startsWith("/")) throw validation("Parameter name must be a fully qualified name.");
  const segments = name.startsWith("/") ? name.slice(1).split("/") : [name];
  if (segments.some((s) => !SEGMENT.test(s))) throw bad();
  if (/^(aws|ssm)/i.test(segments[0]!)) {
    if (name.startsWith("/") && /^aws$/i.test(segments[0]!)) throw new AwsError("AccessDeniedException", `No access to reserved parameter name: ${name}.`);
    throw bad();
  }
  if (segments.length > MAX_DEPTH) {
    throw new AwsError(
      "HierarchyLevelLimitExceededException",
      "A hierarchy can have a maximum of 15 levels. For more information, see Requirements and constraints for parameter names in the AWS Systems Manager User Guide.",
    );
  }
}

/** `name`, `name:3` (a version) or `name:label`. */
export interface Selector {
  name: string;
  version?: number;
  label?: string;
  /** The selector text as given after the name (`:3`, `:prod`), for `Selector` in answers. */
  suffix?: string;
}

export function parseSelector(given: string): Selector {
  const i = given.lastIndexOf(":");
  // An ARN's colons belong to the ARN: a selector follows its `parameter/…` part only.
  const arnPart = given.startsWith("arn:") ? given.indexOf(":parameter/") : -1;
  if (i <= 0 || (arnPart >= 0 && i <= arnPart)) return { name: given };
  const name = given.slice(0, i);
  const sel = given.slice(i + 1);
  if (/^\d+$/.test(sel)) return { name, version: Number(sel), suffix: `:${sel}` };
  return { name, label: sel, suffix: `:${sel}` };
}

/** The version a selector names: the newest, a number, or the one carrying a label. */
export function selectVersion(doc: ParameterDoc, sel: Selector): ParameterVersion {
  if (sel.version !== undefined) {
    const v = doc.versions.find((x) => x.version === sel.version);
    if (!v) throw versionNotFound(doc.name, String(sel.version));
    return v;
  }
  if (sel.label !== undefined) {
    const v = doc.versions.find((x) => x.labels.includes(sel.label!));
    if (!v) throw versionNotFound(doc.name, sel.label);
    return v;
  }
  return latest(doc);
}

export const latest = (doc: ParameterDoc): ParameterVersion => doc.versions[doc.versions.length - 1]!;

/** What PutParameter asks for, its value already sealed when it is a SecureString. */
export interface PutRequest {
  name: string;
  type?: ParameterType;
  value: string;
  /** The value's length as given (before sealing), for the tier's limit. */
  plainLength: number;
  plainValue: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier?: ParameterTier | "Intelligent-Tiering";
  dataType?: string;
  overwrite: boolean;
  user: string;
}

/** A parameter with a new version (or a new parameter); the errors PutParameter answers otherwise. */
export function putVersion(existing: ParameterDoc | undefined, req: PutRequest, base: Omit<ParameterDoc, "versions">, now: number): ParameterDoc {
  const prev = existing && latest(existing);
  if (prev && !req.overwrite) {
    throw new AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
  }
  const type = req.type ?? prev?.type;
  if (!type) throw validation("A parameter type is required when you create a parameter.");
  if (req.keyId !== undefined && type !== "SecureString") {
    throw validation("KeyId is required for SecureString type parameter only.");
  }
  const dataType = req.dataType ?? prev?.dataType ?? "text";
  if (dataType !== "text") {
    throw new AwsError("UnsupportedFeatureException", `DataType '${dataType}' is not supported by Wharf: only 'text' (Wharf has no EC2 images or integrations to check values against).`);
  }
  // An empty pattern is no pattern (Terraform sends "").
  const given = req.allowedPattern === "" ? undefined : req.allowedPattern;
  const allowedPattern = given ?? (req.overwrite && req.allowedPattern === undefined ? prev?.allowedPattern : undefined);
  if (allowedPattern !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${allowedPattern})$`, "u");
    } catch {
      throw new AwsError("InvalidAllowedPatternException", `The allowed pattern ${allowedPattern} is not valid.`);
    }
    if (!re.test(req.plainValue)) throw new AwsError("ParameterPatternMismatchException", `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`);
  }
  if (type === "StringList" && req.plainValue.split(",").some((x) => x === "")) {
    throw validation("StringList values can't be empty: separate non-empty values with commas.");
  }
  const tier = chooseTier(req.tier, prev?.tier, req.plainLength);
  if (prev?.tier === "Advanced" && tier === "Standard") {
    throw validation(
      "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.",
    );
  }
  if (existing && existing.versions.length >= MAX_VERSIONS && existing.versions[0]!.labels.length > 0) {
    throw new AwsError(
      "ParameterMaxVersionLimitExceeded",
      `You attempted to create a new version of ${req.name} by calling the PutParameter API with the overwrite flag. Version ${existing.versions[0]!.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
    );
  }
  const next: ParameterVersion = {
    version: (prev?.version ?? 0) + 1,
    type,
    value: req.value,
    ...(type === "SecureString" ? { keyId: req.keyId ?? (prev?.type === "SecureString" ? prev.keyId : undefined) ?? DEFAULT_SSM_KEY } : {}),
    ...((req.description ?? prev?.description) !== undefined ? { description: req.description ?? prev?.description } : {}),
    ...(allowedPattern !== undefined ? { allowedPattern } : {}),
    tier,
    dataType,
    labels: [],
    lastModifiedDate: now,
    lastModifiedUser: req.user,
  };
  const versions = [...(existing?.versions ?? []), next];
  while (versions.length > MAX_VERSIONS) versions.shift();
  return { ...base, ...(existing ? { tags: existing.tags } : {}), versions };
}

function chooseTier(asked: PutRequest["tier"], prev: ParameterTier | undefined, length: number): ParameterTier {
  const fits = length <= STANDARD_MAX_VALUE;
  if (length > ADVANCED_MAX_VALUE) throw validation(`Parameter value must be at most ${ADVANCED_MAX_VALUE} characters.`);
  if (asked === "Intelligent-Tiering") return prev === "Advanced" || !fits ? "Advanced" : "Standard";
  const tier = asked ?? (prev === "Advanced" ? "Advanced" : "Standard");
  if (tier === "Standard" && !fits) {
    throw validation(
      "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html",
    );
  }
  return tier;
}

/** A label SSM accepts: up to 100 characters of letters, digits, `.`, `-`, `_`; not a number first, not `aws`/`ssm` first. */
export function validLabel(label: string): boolean {
  return label.length >= 1 && label.length <= 100 && /^[a-zA-Z0-9_.-]+$/.test(label) && !/^\d/.test(label) && !/^(aws|ssm)/i.test(label);
}

/** LabelParameterVersion: the labels move to the version (from any other); invalid ones are returned, not applied. */
export function labelVersion(doc: ParameterDoc, version: number | undefined, labels: string[]): { doc: ParameterDoc; invalid: string[]; version: number } {
  const target = version === undefined ? latest(doc) : doc.versions.find((v) => v.version === version);
  if (!target) throw versionNotFound(doc.name, String(version));
  const invalid = labels.filter((l) => !validLabel(l));
  const good = labels.filter((l) => validLabel(l));
  const merged = [...new Set([...target.labels, ...good])];
  if (merged.length > MAX_LABELS_PER_VERSION) {
    throw new AwsError(
      "ParameterVersionLabelLimitExceeded",
      "A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.",
    );
  }
  const versions = doc.versions.map((v) =>
    v.version === target.version ? { ...v, labels: merged } : { ...v, labels: v.labels.filter((l) => !good.includes(l)) },
  );
  return { doc: { ...doc, versions }, invalid, version: target.version };
}

/** UnlabelParameterVersion: removes the labels from that version; those it did not carry are returned. */
export function unlabelVersion(doc: ParameterDoc, version: number, labels: string[]): { doc: ParameterDoc; removed: string[]; invalid: string[] } {
  const target = doc.versions.find((v) => v.version === version);
  if (!target) throw versionNotFound(doc.name, String(version));
  const removed = labels.filter((l) => target.labels.includes(l));
  const invalid = labels.filter((l) => !target.labels.includes(l));
  const versions = doc.versions.map((v) => (v === target ? { ...v, labels: v.labels.filter((l) => !removed.includes(l)) } : v));
  return { doc: { ...doc, versions }, removed, invalid };
}

/** Is the parameter under the path (`/a` holds `/a/b`; recursive also `/a/b/c`; `/` holds plain names)? */
export function underPath(name: string, path: string, recursive: boolean): boolean {
  const full = name.startsWith("/") ? name : `/${name}`;
  const prefix = path.endsWith("/") ? path : `${path}/`;
  if (!full.startsWith(prefix)) return false;
  return recursive || !full.slice(prefix.length).includes("/");
}

/** Checks GetParametersByPath's Path. */
export function checkPath(path: string): void {
  if (!path.startsWith("/")) throw validation("The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\".");
  const segments = path.split("/").filter((s) => s !== "");
  if (segments.some((s) => !SEGMENT.test(s))) throw validation(`The path ${path} is not valid.`);
  if (segments.length > MAX_DEPTH) throw new AwsError("HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels.");
}
