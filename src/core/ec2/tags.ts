import { AwsError } from "../errors.js";

/** EC2's tag rules: at most 50 per resource, keys ≤ 128 and values ≤ 256 characters, no `aws:` keys. */
export const MAX_TAGS = 50;
export const MAX_KEY_LENGTH = 128;
export const MAX_VALUE_LENGTH = 256;

export interface TagIn {
  Key?: string;
  Value?: string;
}

const invalid = (m: string) => new AwsError("InvalidParameterValue", m);

/** Checks tags a caller sets; returns them with values defaulted to "" (EC2 stores a missing value as empty). */
export function checkTags(tags: TagIn[]): Array<{ Key: string; Value: string }> {
  return tags.map((t) => {
    const key = t.Key ?? "";
    const value = t.Value ?? "";
    if (key === "") throw invalid("Tag key cannot be empty");
    if (key.toLowerCase().startsWith("aws:")) throw invalid("Tag keys starting with 'aws:' are reserved for internal use");
    if ([...key].length > MAX_KEY_LENGTH) throw invalid(`Tag key exceeds the maximum length of ${MAX_KEY_LENGTH} characters`);
    if ([...value].length > MAX_VALUE_LENGTH) throw invalid(`Tag value exceeds the maximum length of ${MAX_VALUE_LENGTH} characters`);
    return { Key: key, Value: value };
  });
}

/** `current` with `added` set over it (a key given again replaces its value); refuses past MAX_TAGS. */
export function mergeTags<T extends { Key: string; Value: string }>(current: T[], added: T[]): T[] {
  const out = new Map(current.map((t) => [t.Key, t]));
  for (const t of added) out.set(t.Key, t);
  if (out.size > MAX_TAGS) throw new AwsError("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
  return [...out.values()];
}

/** DeleteTags: no tags given removes all; a tag with a value removes the key only if the value matches. */
export function removeTags<T extends { Key: string; Value: string }>(current: T[], removed: TagIn[] | undefined): T[] {
  if (!removed || removed.length === 0) return [];
  return current.filter((t) => !removed.some((r) => r.Key === t.Key && (r.Value === undefined || r.Value === t.Value)));
}
