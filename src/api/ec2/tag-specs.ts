import type { TagSpecification } from "@aws-sdk/client-ec2";
import { checkTags, mergeTags } from "../../core/ec2/tags.js";
import type { Tag } from "./docs.js";
import { invalidValue, missingParameter } from "./errors.js";

/** Tags a Create call's `TagSpecifications` give the resource of `resourceType` (others are refused, as EC2 does). */
export function tagsFromSpecs(specs: TagSpecification[] | undefined, resourceType: string): Tag[] {
  let tags: Tag[] = [];
  for (const s of specs ?? []) {
    if (s.ResourceType === undefined) throw missingParameter("TagSpecification.ResourceType");
    if (s.ResourceType !== resourceType) throw invalidValue(`'${s.ResourceType}' is not a valid taggable resource type for this operation.`);
    tags = mergeTags(tags, checkTags(s.Tags ?? []));
  }
  return tags;
}

/** Output form of stored tags: absent when there are none (EC2 leaves `tagSet` out). */
export const tagsOut = (tags: Tag[]): { Tags?: Tag[] } => (tags.length > 0 ? { Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {});
