import type { Tag } from "../core/tags.js";
import type { Store, WriteOp } from "../store/store.js";

/** Tags live beside their resources, keyed by resource ARN, so every resource type shares them. */
export async function readTags(store: Store, arn: string): Promise<Tag[]> {
  return (await store.get<Tag[]>("tags", arn))?.value ?? [];
}

export function putTagsOp(arn: string, tags: Tag[]): WriteOp {
  return tags.length > 0 ? { op: "put", kind: "tags", id: arn, value: tags } : { op: "delete", kind: "tags", id: arn };
}
