/**
 * ECR's image index rules, pure: which tags a push moves, when a tag is immutable, what a
 * delete removes. An image is one manifest digest in one repository with zero or more tags.
 */

export interface ImageDoc {
  digest: string;
  tags: string[];
  mediaType: string;
  artifactMediaType?: string;
  /** The manifest's exact bytes (UTF-8 JSON). */
  manifest: string;
  /** imageSizeInBytes. */
  size: number;
  /** Epoch seconds. */
  pushedAt: number;
  /** Epoch seconds of the last pull through the registry. */
  lastPull?: number;
  subject?: string;
}

export interface MutabilityRule {
  imageTagMutability: string;
  /** `imageTagMutabilityExclusionFilters` (WILDCARD filters). */
  exclusions?: { filterType?: string; filter?: string }[];
}

const wildcard = (filter: string): RegExp =>
  new RegExp(`^${filter.split("*").map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

/** Whether a tag may not be moved: IMMUTABLE, or the `_WITH_EXCLUSION` forms by their wildcard filters. */
export function tagIsImmutable(rule: MutabilityRule, tag: string): boolean {
  const excluded = (rule.exclusions ?? []).some((f) => typeof f.filter === "string" && wildcard(f.filter).test(tag));
  switch (rule.imageTagMutability) {
    case "IMMUTABLE":
      return true;
    case "IMMUTABLE_WITH_EXCLUSION":
      return !excluded;
    case "MUTABLE_WITH_EXCLUSION":
      return excluded;
    default:
      return false;
  }
}

export type PushOutcome =
  | { kind: "refused"; reason: "tag-immutable" | "already-exists" }
  /** The images to write (the pushed one, and any that lost the tag); unchanged = nothing to write. */
  | { kind: "ok"; writes: ImageDoc[]; unchanged: boolean };

/**
 * A manifest pushed with an optional tag. `strict` is PutImage's rule (the same digest and tag
 * again is ImageAlreadyExistsException); a `docker push` of the same thing again is a no-op.
 * An immutable tag that exists is refused whatever digest it names (ECR's TAG_INVALID).
 */
export function applyPush(images: readonly ImageDoc[], pushed: Omit<ImageDoc, "tags">, tag: string | undefined, rule: MutabilityRule, strict: boolean): PushOutcome {
  const same = images.find((i) => i.digest === pushed.digest);
  const holder = tag === undefined ? undefined : images.find((i) => i.tags.includes(tag));
  if (tag !== undefined && holder) {
    if (holder.digest === pushed.digest) {
      if (strict) return { kind: "refused", reason: "already-exists" };
      if (tagIsImmutable(rule, tag)) return { kind: "refused", reason: "tag-immutable" };
      return { kind: "ok", writes: [], unchanged: true };
    }
    if (tagIsImmutable(rule, tag)) return { kind: "refused", reason: "tag-immutable" };
  }
  if (same && tag === undefined) {
    if (strict) return { kind: "refused", reason: "already-exists" };
    return { kind: "ok", writes: [], unchanged: true };
  }
  const writes: ImageDoc[] = [];
  if (holder && holder.digest !== pushed.digest) writes.push({ ...holder, tags: holder.tags.filter((t) => t !== tag) });
  const base: ImageDoc = same ?? { ...pushed, tags: [] };
  writes.push({ ...base, tags: tag === undefined ? base.tags : [...base.tags, tag] });
  return { kind: "ok", writes, unchanged: false };
}

/** ListImages / DescribeImages `tagStatus` filter. */
export function matchesTagStatus(image: ImageDoc, status: string | undefined): boolean {
  if (status === "TAGGED") return image.tags.length > 0;
  if (status === "UNTAGGED") return image.tags.length === 0;
  return true;
}
