import type { AddTagsInput, DescribeTagsInput, DescribeTagsOutput, RemoveTagsInput } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsError } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { type ElbKind, elbLock, type Elbv2Deps, getIn, putOp } from "./deps.js";
import type { Tag } from "./docs.js";
import { duplicateTagKeys, listenerNotFound, loadBalancerNotFound, ruleNotFound, targetGroupNotFound, tooManyTags, validationError } from "./errors.js";

/** ELB's tag rules: at most 50 per resource, unique keys, no `aws:` keys. */
export const MAX_TAGS = 50;

export function checkTagsIn(tags: { Key?: string; Value?: string }[]): Tag[] {
  const keys = new Set<string>();
  const out: Tag[] = [];
  for (const t of tags) {
    const key = t.Key ?? "";
    if (key.toLowerCase().startsWith("aws:")) throw validationError(`Tag key '${key}' cannot start with 'aws:'`);
    if (keys.has(key)) throw duplicateTagKeys();
    keys.add(key);
    out.push({ Key: key, ...(t.Value !== undefined ? { Value: t.Value } : {}) });
  }
  if (out.length > MAX_TAGS) throw tooManyTags();
  return out;
}

const RESOURCE: Record<string, { kind: ElbKind; notFound: () => AwsError; what: string }> = {
  loadbalancer: { kind: "elbv2-load-balancer", notFound: () => loadBalancerNotFound(), what: "load balancer" },
  targetgroup: { kind: "elbv2-target-group", notFound: () => targetGroupNotFound(), what: "target group" },
  listener: { kind: "elbv2-listener", notFound: () => listenerNotFound(), what: "listener" },
  "listener-rule": { kind: "elbv2-rule", notFound: () => ruleNotFound(), what: "listener rule" },
};

function resourceOf(arn: string) {
  const m = /^arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:([a-z-]+)\/.+$/.exec(arn);
  const r = m && Object.hasOwn(RESOURCE, m[1]!) ? RESOURCE[m[1]!] : undefined;
  if (!r) throw validationError(`'${arn}' must be in ARN format`);
  return r;
}

type Taggable = { region: string; arn: string; tags: Tag[]; name?: string };

async function docsOf(deps: Elbv2Deps, region: string, arns: string[]): Promise<{ kind: ElbKind; doc: Taggable }[]> {
  const out: { kind: ElbKind; doc: Taggable }[] = [];
  for (const arn of arns) {
    const r = resourceOf(arn);
    const doc = await getIn<Taggable>(deps, r.kind, region, arn);
    if (!doc) throw r.notFound();
    out.push({ kind: r.kind, doc });
  }
  return out;
}

const sortOf = (kind: ElbKind, doc: Taggable) => (kind === "elbv2-load-balancer" || kind === "elbv2-target-group" ? doc.name : undefined);

async function retag(deps: Elbv2Deps, region: string, arns: string[], change: (tags: Tag[]) => Tag[]): Promise<void> {
  await deps.lock(elbLock(region), async () => {
    const ops: WriteOp[] = [];
    for (const { kind, doc } of await docsOf(deps, region, arns)) {
      const tags = change(doc.tags);
      if (tags.length > MAX_TAGS) throw tooManyTags();
      ops.push(putOp(kind, region, doc.arn, { ...doc, tags }, sortOf(kind, doc)));
    }
    await deps.store.write(ops);
  });
}

export async function addTags(deps: Elbv2Deps, input: AddTagsInput, ctx: RequestContext): Promise<Record<string, never>> {
  const added = checkTagsIn(input.Tags ?? []);
  await retag(deps, ctx.principal.region, input.ResourceArns ?? [], (current) => {
    const m = new Map(current.map((t) => [t.Key, t]));
    for (const t of added) m.set(t.Key, t);
    return [...m.values()];
  });
  return {};
}

export async function removeTags(deps: Elbv2Deps, input: RemoveTagsInput, ctx: RequestContext): Promise<Record<string, never>> {
  const keys = new Set(input.TagKeys ?? []);
  await retag(deps, ctx.principal.region, input.ResourceArns ?? [], (current) => current.filter((t) => !keys.has(t.Key)));
  return {};
}

export async function describeTags(deps: Elbv2Deps, input: DescribeTagsInput, ctx: RequestContext): Promise<DescribeTagsOutput> {
  const arns = input.ResourceArns ?? [];
  if (arns.length > 20) throw validationError("You cannot specify more than 20 resource ARNs");
  const docs = await docsOf(deps, ctx.principal.region, arns);
  return { TagDescriptions: docs.map(({ doc }) => ({ ResourceArn: doc.arn, Tags: doc.tags })) };
}


/**
 * The stored tags of the load balancer, target group, listener or rule an ARN names, for
 * aws:ResourceTag/… and elasticloadbalancing:ResourceTag/…; undefined when none or unknown.
 */
export async function elbv2ResourceTags(deps: Elbv2Deps, arn: string): Promise<Record<string, string> | undefined> {
  const m = /^arn:[\w-]+:elasticloadbalancing:([\w-]+):\d{12}:([a-z-]+)\/.+$/.exec(arn);
  const r = m && Object.hasOwn(RESOURCE, m[2]!) ? RESOURCE[m[2]!] : undefined;
  if (!m || !r) return undefined;
  const doc = await getIn<Taggable>(deps, r.kind, m[1]!, arn);
  return doc?.tags.length ? Object.fromEntries(doc.tags.map((t) => [t.Key ?? "", t.Value ?? ""])) : undefined;
}
