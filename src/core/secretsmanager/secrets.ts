import { partitionOf } from "../arn.js";
import { AwsError } from "../errors.js";

/**
 * Secrets Manager's rules, pure: secret ARNs (the name and a 6-character random suffix), how a
 * SecretId names a secret, and how the staging labels move between versions (AWSCURRENT,
 * AWSPREVIOUS, AWSPENDING, custom ones) on PutSecretValue and UpdateSecretVersionStage. Values
 * arrive here sealed (the API's SecretBox).
 */

export const AWSCURRENT = "AWSCURRENT";
export const AWSPREVIOUS = "AWSPREVIOUS";
export const AWSPENDING = "AWSPENDING";
export const DEFAULT_SM_KEY = "alias/aws/secretsmanager";
/** Versions kept: AWS keeps about 100, deleting the oldest versions that carry no staging label. */
export const MAX_VERSIONS = 100;
export const MAX_STAGES_PER_VERSION = 20;

export interface SecretVersion {
  id: string;
  /** Sealed SecretString, or sealed base64 of SecretBinary. */
  sealed: string;
  binary: boolean;
  stages: string[];
  /** Epoch seconds. */
  createdDate: number;
  lastAccessedDate?: number;
}

/** A stored secret (kind `sm-secret`, id `<account>:<region>:<name>`), its versions oldest first. */
export interface SecretDoc {
  accountId: string;
  region: string;
  name: string;
  /** The 6 characters after `NAME-` in the ARN. */
  suffix: string;
  description?: string;
  kmsKeyId?: string;
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** Set by DeleteSecret with a recovery window: when it was deleted and when it goes for good (epoch seconds). */
  deletedDate?: number;
  deletionDate?: number;
  tags: { Key: string; Value: string }[];
  /** The resource policy's text as given. */
  resourcePolicy?: string;
  versions: SecretVersion[];
}

const SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Six random letters and digits, as AWS appends to every secret ARN. */
export function newSuffix(random: () => number): string {
  let s = "";
  for (let i = 0; i < 6; i++) s += SUFFIX_CHARS[Math.floor(random() * SUFFIX_CHARS.length)]!;
  return s;
}

/** A version id: a UUID (v4 form) from the injected random source. */
export function newVersionId(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function secretArn(d: Pick<SecretDoc, "accountId" | "region" | "name" | "suffix">): string {
  return `arn:${partitionOf(d.region)}:secretsmanager:${d.region}:${d.accountId}:secret:${d.name}-${d.suffix}`;
}

export const notFound = (): AwsError => new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
export const invalidParameter = (m: string): AwsError => new AwsError("InvalidParameterException", m);
export const invalidRequest = (m: string): AwsError => new AwsError("InvalidRequestException", m);
export const markedForDeletion = (): AwsError => invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");

/** What a SecretId names: a name, a full ARN (with its suffix), or a partial ARN (without). */
export interface SecretRef {
  name: string;
  /** The suffix a full ARN carries; undefined for a name or a partial ARN. */
  suffix?: string;
  /** Set when the ARN is of another account or Region: it never names a local secret. */
  foreign?: boolean;
  /** A name or partial ARN whose last 7 characters look like `-XXXXXX` could also be a full one without its name's end. */
  maybeSuffix?: { name: string; suffix: string };
}

export function parseSecretId(id: string, accountId: string, region: string): SecretRef {
  const m = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/.exec(id);
  if (!m) return { name: id };
  const rest = m[3]!;
  const foreign = m[1] !== region || m[2] !== accountId;
  const s = /^(.+)-([A-Za-z0-9]{6})$/.exec(rest);
  return { name: rest, ...(s ? { maybeSuffix: { name: s[1]!, suffix: s[2]! } } : {}), ...(foreign ? { foreign } : {}) };
}

/** Secret names Secrets Manager accepts: letters, digits and `/_+=.@-`. */
export function checkSecretName(name: string): void {
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(name)) throw invalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
}

/** Is the secret gone for good (its recovery window has passed)? */
export const purged = (d: SecretDoc, nowS: number): boolean => d.deletionDate !== undefined && d.deletionDate <= nowS;

/** Staging labels Secrets Manager accepts (1–256 characters, no spaces). */
function checkStages(stages: string[]): void {
  if (stages.length > MAX_STAGES_PER_VERSION) throw new AwsError("LimitExceededException", "You can attach a maximum of 20 staging labels to a secret version.");
  for (const s of stages) if (s.length < 1 || s.length > 256) throw invalidParameter("Invalid staging label.");
}

/** Removes `stage` from every version but `keep`. */
const strip = (versions: SecretVersion[], stage: string, keep?: string): SecretVersion[] =>
  versions.map((v) => (v.id !== keep && v.stages.includes(stage) ? { ...v, stages: v.stages.filter((s) => s !== stage) } : v));

/**
 * Adds a version (PutSecretValue, UpdateSecret, CreateSecret) carrying `stages` (default
 * AWSCURRENT): each stage leaves the version that had it; when AWSCURRENT moves, the version
 * that had it becomes AWSPREVIOUS. Versions beyond the limit that carry no label are dropped, oldest first.
 */
export function addVersion(versions: SecretVersion[], next: Omit<SecretVersion, "stages">, stages: string[] = [AWSCURRENT]): SecretVersion[] {
  checkStages(stages);
  const previousCurrent = versions.find((v) => v.stages.includes(AWSCURRENT));
  let out = [...versions];
  for (const s of stages) out = strip(out, s);
  if (stages.includes(AWSCURRENT) && previousCurrent) {
    out = strip(out, AWSPREVIOUS).map((v) => (v.id === previousCurrent.id ? { ...v, stages: [...v.stages, AWSPREVIOUS] } : v));
  }
  out.push({ ...next, stages: [...new Set(stages)] });
  return prune(out);
}

function prune(versions: SecretVersion[]): SecretVersion[] {
  const out = [...versions];
  while (out.length > MAX_VERSIONS) {
    const i = out.findIndex((v) => v.stages.length === 0);
    if (i < 0) break;
    out.splice(i, 1);
  }
  return out;
}

/** UpdateSecretVersionStage: moves (or removes) one staging label, as Secrets Manager checks it. */
export function moveStage(versions: SecretVersion[], stage: string, removeFrom: string | undefined, moveTo: string | undefined): SecretVersion[] {
  checkStages([stage]);
  const holder = versions.find((v) => v.stages.includes(stage));
  if (moveTo !== undefined && !versions.some((v) => v.id === moveTo)) throw invalidParameter(`Secrets Manager can't find the specified secret version: ${moveTo}`);
  if (removeFrom !== undefined && !versions.some((v) => v.id === removeFrom)) throw invalidParameter(`Secrets Manager can't find the specified secret version: ${removeFrom}`);
  if (removeFrom !== undefined && holder?.id !== removeFrom) {
    throw invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
  }
  if (moveTo !== undefined && holder && holder.id !== moveTo && removeFrom !== holder.id) {
    throw invalidParameter(
      `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (moveTo === undefined && stage === AWSCURRENT) {
    throw invalidParameter("You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.");
  }
  if (moveTo === undefined) return strip(versions, stage);
  if (holder?.id === moveTo) return versions;
  const target = versions.find((v) => v.id === moveTo)!;
  if (target.stages.length >= MAX_STAGES_PER_VERSION) checkStages([...target.stages, stage]);
  let out = strip(versions, stage).map((v) => (v.id === moveTo ? { ...v, stages: [...v.stages, stage] } : v));
  if (stage === AWSCURRENT && holder) {
    out = strip(out, AWSPREVIOUS).map((v) => (v.id === holder.id ? { ...v, stages: [...v.stages, AWSPREVIOUS] } : v));
  }
  return out;
}

/** The version GetSecretValue names: by id, by stage (default AWSCURRENT), or both (they must agree). */
export function selectSecretVersion(d: SecretDoc, versionId: string | undefined, stage: string | undefined): SecretVersion {
  if (versionId !== undefined) {
    const v = d.versions.find((x) => x.id === versionId);
    if (!v || (stage !== undefined && !v.stages.includes(stage))) {
      throw new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    }
    return v;
  }
  const want = stage ?? AWSCURRENT;
  const v = d.versions.find((x) => x.stages.includes(want));
  if (!v) throw new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for staging label: ${want}`);
  return v;
}

/** `VersionIdsToStages` of DescribeSecret / `SecretVersionsToStages` of ListSecrets: versions carrying a label. */
export function versionsToStages(d: SecretDoc): Record<string, string[]> {
  return Object.fromEntries(d.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, v.stages]));
}

/** The day (epoch seconds at 00:00 UTC) of a moment, as Secrets Manager reports LastAccessedDate. */
export const dayOf = (nowS: number): number => Math.floor(nowS / 86400) * 86400;
