import type { CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, DescribeTagsResult, TagDescription } from "@aws-sdk/client-ec2";
import { AwsError } from "../../core/errors.js";
import { applyFilters, type FilterTable } from "../../core/ec2/filters.js";
import { resourceTypeOf } from "../../core/ec2/ids.js";
import { checkTags, mergeTags, removeTags } from "../../core/ec2/tags.js";
import type { RequestContext } from "../../edge/service.js";
import type { WriteOp } from "../../store/store.js";
import { type Ec2Deps, type Ec2Kind, ec2Lock, getIn, listIn, putOp } from "./deps.js";
import type { SecurityGroupDoc, Tag } from "./docs.js";
import { aclNotFound, eniNotFound, groupNotFound, igwNotFound, missingParameter, routeTableNotFound, ruleNotFound, subnetNotFound, vpcNotFound } from "./errors.js";
import { ec2Page } from "./paging.js";

/** The tag-holding records by id prefix (security group rules live inside their group's record). */
const TAGGABLE: Readonly<Record<string, { kind: Ec2Kind; idField: string; notFound: (id: string) => AwsError }>> = {
  vpc: { kind: "ec2-vpc", idField: "vpcId", notFound: (id) => vpcNotFound([id]) },
  subnet: { kind: "ec2-subnet", idField: "subnetId", notFound: (id) => subnetNotFound([id]) },
  sg: { kind: "ec2-security-group", idField: "groupId", notFound: (id) => groupNotFound(id) },
  igw: { kind: "ec2-internet-gateway", idField: "internetGatewayId", notFound: (id) => igwNotFound([id]) },
  rtb: { kind: "ec2-route-table", idField: "routeTableId", notFound: (id) => routeTableNotFound([id]) },
  acl: { kind: "ec2-network-acl", idField: "networkAclId", notFound: (id) => aclNotFound([id]) },
  eni: { kind: "ec2-network-interface", idField: "networkInterfaceId", notFound: (id) => eniNotFound([id]) },
};

const prefixOf = (id: string) => id.slice(0, Math.max(0, id.indexOf("-")));

type Doc = { region: string; tags: Tag[] };

/** Applies `change` to the tags of every resource named, in one write; refuses the whole call if any is unknown. */
async function retag(deps: Ec2Deps, region: string, ids: string[], change: (tags: Tag[]) => Tag[]): Promise<void> {
  await deps.lock(ec2Lock(region), async () => {
    const ops: WriteOp[] = [];
    const groups = new Map<string, SecurityGroupDoc>();
    for (const id of ids) {
      const prefix = prefixOf(id);
      if (prefix === "sgr") {
        let group = [...groups.values()].find((g) => g.rules.some((r) => r.ruleId === id));
        if (!group) {
          const found = (await listIn<SecurityGroupDoc>(deps, "ec2-security-group", region)).find((g) => g.rules.some((r) => r.ruleId === id));
          if (!found) throw ruleNotFound([id]);
          group = structuredClone(found);
          groups.set(group.groupId, group);
        }
        const rule = group.rules.find((r) => r.ruleId === id)!;
        rule.tags = change((rule.tags ?? []) as Tag[]);
        continue;
      }
      const t = Object.hasOwn(TAGGABLE, prefix) ? TAGGABLE[prefix] : undefined;
      if (!t) throw new AwsError("InvalidID", `The ID '${id}' is not valid`);
      const doc = t.kind === "ec2-security-group" && groups.has(id) ? groups.get(id)! : await getIn<Doc>(deps, t.kind, region, id);
      if (!doc) throw t.notFound(id);
      const next = { ...doc, tags: change(doc.tags) };
      if (t.kind === "ec2-security-group") groups.set(id, next as unknown as SecurityGroupDoc);
      else ops.push(putOp(t.kind, region, id, next));
    }
    for (const g of groups.values()) ops.push(putOp("ec2-security-group", region, g.groupId, g));
    await deps.store.write(ops);
  });
}

export async function createTags(deps: Ec2Deps, input: CreateTagsRequest, ctx: RequestContext): Promise<Record<string, never>> {
  if (!input.Resources?.length) throw missingParameter("ResourceId");
  if (!input.Tags?.length) throw missingParameter("Tag");
  const tags = checkTags(input.Tags);
  await retag(deps, ctx.principal.region, input.Resources, (current) => mergeTags(current, tags));
  return {};
}

export async function deleteTags(deps: Ec2Deps, input: DeleteTagsRequest, ctx: RequestContext): Promise<Record<string, never>> {
  if (!input.Resources?.length) throw missingParameter("ResourceId");
  await retag(deps, ctx.principal.region, input.Resources, (current) => removeTags(current, input.Tags));
  return {};
}

const TAG_FILTERS: FilterTable<TagDescription> = {
  key: (t) => t.Key,
  value: (t) => t.Value,
  "resource-id": (t) => t.ResourceId,
  "resource-type": (t) => t.ResourceType,
};

export async function describeTags(deps: Ec2Deps, input: DescribeTagsRequest, ctx: RequestContext): Promise<DescribeTagsResult> {
  const region = ctx.principal.region;
  const rows: TagDescription[] = [];
  const add = (id: string, tags: Tag[] | undefined) => {
    for (const t of tags ?? []) rows.push({ Key: t.Key, ResourceId: id, ResourceType: resourceTypeOf(id) as TagDescription["ResourceType"], Value: t.Value });
  };
  for (const t of Object.values(TAGGABLE)) {
    for (const doc of await listIn<Doc & Record<string, unknown>>(deps, t.kind, region)) {
      add(doc[t.idField] as string, doc.tags);
      if (t.kind === "ec2-security-group") for (const r of (doc as unknown as SecurityGroupDoc).rules) add(r.ruleId, r.tags as Tag[]);
    }
  }
  rows.sort((a, b) => (a.ResourceId! + "\0" + a.Key! < b.ResourceId! + "\0" + b.Key! ? -1 : 1));
  // `tag:KEY` filters read the row itself: the row is that resource's tag.
  const filtered = applyFilters(rows, input.Filters, TAG_FILTERS, (row) => [{ Key: row.Key, Value: row.Value }]);
  const page = ec2Page(filtered, (r) => `${r.ResourceId}\0${r.Key}`, input);
  return { Tags: page.items, ...(page.NextToken ? { NextToken: page.NextToken } : {}) };
}

/** The stored tags of the resource an EC2 ARN names (`…:vpc/vpc-…`), for aws:ResourceTag/…; undefined when none or unknown. */
export async function ec2ResourceTags(deps: Ec2Deps, arn: string, region: string): Promise<Record<string, string> | undefined> {
  const id = arn.slice(arn.lastIndexOf("/") + 1);
  const t = Object.hasOwn(TAGGABLE, prefixOf(id)) ? TAGGABLE[prefixOf(id)] : undefined;
  const doc = t && (await getIn<Doc>(deps, t.kind, region, id));
  return doc && doc.tags.length > 0 ? Object.fromEntries(doc.tags.map((x) => [x.Key ?? "", x.Value ?? ""])) : undefined;
}
