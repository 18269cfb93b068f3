import type { ImageDoc } from "./images.js";

/**
 * ECR lifecycle policies, pure: parse and check a policy's text, and decide which images it
 * expires. Rules go by `rulePriority`, lowest first; an image a rule selects (whether it keeps
 * or expires it) is never looked at by a later rule. `tagStatus: tagged` needs prefixes or
 * patterns and selects images carrying a tag for each of them; `untagged` selects images with no
 * tag; `any` selects all and must be the last rule. `imageCountMoreThan` keeps the newest N (by
 * pushedAt), `sinceImagePushed` expires images older than N days.
 */

export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: {
    tagStatus: "tagged" | "untagged" | "any";
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: "imageCountMoreThan" | "sinceImagePushed";
    countUnit?: "days";
    countNumber: number;
  };
  action: { type: "expire" };
}

export class LifecyclePolicyError extends Error {}

const fail = (why: string): never => {
  throw new LifecyclePolicyError(why);
};

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const strings = (v: unknown, what: string): string[] | undefined => {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === "string" && s.length > 0)) fail(`'${what}' must be a non-empty list of non-empty strings`);
  return v as string[];
};

/** The rules of a policy text, checked; LifecyclePolicyError says why a text is refused. */
export function parseLifecyclePolicy(text: string): LifecycleRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail("the policy is not valid JSON");
  }
  if (!isObj(doc) || !Array.isArray(doc.rules) || doc.rules.length === 0) return fail("'rules' must be a non-empty list");
  const rules: LifecycleRule[] = [];
  const priorities = new Set<number>();
  for (const r of doc.rules as unknown[]) {
    if (!isObj(r)) return fail("every rule must be an object");
    const priority = r.rulePriority;
    if (!Number.isInteger(priority) || (priority as number) < 1) fail("'rulePriority' must be a positive integer");
    if (priorities.has(priority as number)) fail(`'rulePriority' ${priority} is used by more than one rule`);
    priorities.add(priority as number);
    const s = r.selection;
    if (!isObj(s)) return fail("'selection' is required");
    const tagStatus = s.tagStatus;
    if (tagStatus !== "tagged" && tagStatus !== "untagged" && tagStatus !== "any") fail("'tagStatus' must be one of tagged, untagged, any");
    const tagPrefixList = strings(s.tagPrefixList, "tagPrefixList");
    const tagPatternList = strings(s.tagPatternList, "tagPatternList");
    if (tagStatus === "tagged" && !tagPrefixList && !tagPatternList) fail("'tagPrefixList' or 'tagPatternList' is required when 'tagStatus' is tagged");
    if (tagStatus === "tagged" && tagPrefixList && tagPatternList) fail("'tagPrefixList' and 'tagPatternList' cannot both be given");
    if (tagStatus !== "tagged" && (tagPrefixList || tagPatternList)) fail("tag prefixes and patterns are allowed only when 'tagStatus' is tagged");
    const countType = s.countType;
    if (countType !== "imageCountMoreThan" && countType !== "sinceImagePushed") fail("'countType' must be imageCountMoreThan or sinceImagePushed");
    if (countType === "sinceImagePushed" && s.countUnit !== "days") fail("'countUnit' must be days when 'countType' is sinceImagePushed");
    if (countType === "imageCountMoreThan" && s.countUnit !== undefined) fail("'countUnit' is not allowed when 'countType' is imageCountMoreThan");
    if (!Number.isInteger(s.countNumber) || (s.countNumber as number) < 1) fail("'countNumber' must be a positive integer");
    if (!isObj(r.action) || r.action.type !== "expire") fail("'action.type' must be expire");
    rules.push({
      rulePriority: priority as number,
      ...(typeof r.description === "string" ? { description: r.description } : {}),
      selection: {
        tagStatus: tagStatus as LifecycleRule["selection"]["tagStatus"],
        ...(tagPrefixList ? { tagPrefixList } : {}),
        ...(tagPatternList ? { tagPatternList } : {}),
        countType: countType as LifecycleRule["selection"]["countType"],
        ...(s.countUnit === "days" ? { countUnit: "days" as const } : {}),
        countNumber: s.countNumber as number,
      },
      action: { type: "expire" },
    });
  }
  rules.sort((a, b) => a.rulePriority - b.rulePriority);
  const anyAt = rules.findIndex((r) => r.selection.tagStatus === "any");
  if (anyAt >= 0 && anyAt !== rules.length - 1) fail("a rule with 'tagStatus' any must have the highest 'rulePriority'");
  return rules;
}

const wildcard = (p: string) => new RegExp(`^${p.split("*").map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);

function selects(rule: LifecycleRule, image: ImageDoc): boolean {
  const s = rule.selection;
  if (s.tagStatus === "untagged") return image.tags.length === 0;
  if (s.tagStatus === "any") return true;
  if (image.tags.length === 0) return false;
  if (s.tagPrefixList) return s.tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)));
  return (s.tagPatternList ?? []).every((p) => image.tags.some((t) => wildcard(p).test(t)));
}

/** The digests the policy expires now (`nowSeconds`, epoch seconds), with the rule that expires each. */
export function expiredImages(images: readonly ImageDoc[], rules: readonly LifecycleRule[], nowSeconds: number): { digest: string; rulePriority: number }[] {
  const claimed = new Set<string>();
  const out: { digest: string; rulePriority: number }[] = [];
  for (const rule of rules) {
    const picked = images.filter((i) => !claimed.has(i.digest) && selects(rule, i)).sort((a, b) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1));
    for (const i of picked) claimed.add(i.digest);
    const { countType, countNumber } = rule.selection;
    const expired = countType === "imageCountMoreThan" ? picked.slice(countNumber) : picked.filter((i) => nowSeconds - i.pushedAt > countNumber * 86_400);
    for (const i of expired) out.push({ digest: i.digest, rulePriority: rule.rulePriority });
  }
  return out;
}
