import { invalidParameter } from "./errors.js";

export interface Tag {
  key?: string;
  value?: string;
}

/**
 * ECS's tag rules beyond its model: a key is needed, `aws:` keys are reserved. (The model's own
 * limits — at most 50 tags, key 1–128 and value 0–256 characters of `[\p{L}\p{Z}\p{N}_.:/=+\-@]`
 * — are enforced by the edge with AWS's validation text before an operation runs.)
 */
export function validateTags(tags: Tag[] | undefined): Tag[] {
  if (!tags) return [];
  for (const t of tags) {
    if (typeof t.key !== "string") throw invalidParameter("Tag keys must be between 1 and 128 characters.");
    if (t.key.toLowerCase().startsWith("aws:")) {
      throw invalidParameter(`Tag keys beginning with 'aws:' are reserved for AWS use: '${t.key}'.`);
    }
  }
  return tags.map((t) => ({ key: t.key, value: t.value ?? "" }));
}

/** Applies new tags over old ones (same key → new value), enforcing the per-resource limit. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.key, t]));
  for (const t of added) byKey.set(t.key, t);
  const merged = [...byKey.values()];
  if (merged.length > 50) throw invalidParameter("Tags may not exceed 50 per resource.");
  return merged;
}
