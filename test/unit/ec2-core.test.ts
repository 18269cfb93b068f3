import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ec2Model } from "../../src/api/ec2/model.generated.js";
import { cidrContains, cidrsOverlap, formatCidr, nthBlock, parseCidr, usableAddresses } from "../../src/core/ec2/cidr.js";
import { applyFilters, filterPattern } from "../../src/core/ec2/filters.js";
import { describeRule, flattenPermissions, groupPermissions, normalizeProtocol, ruleAllows, type SgRule } from "../../src/core/ec2/rules.js";
import { checkTags, mergeTags, removeTags } from "../../src/core/ec2/tags.js";
import { regionShortName, zonesOf } from "../../src/core/ec2/zones.js";
import { decodeQueryInput, parseQueryPairs } from "../../src/edge/protocols/query-input.js";
import { XmlWriter } from "../../src/edge/protocols/xml.js";
import { AwsError } from "../../src/core/errors.js";

const errors = {
  badValue: (n: string, v: string) => new AwsError("InvalidParameterValue", `${n}=${v}`),
  unknown: (n: string) => new AwsError("UnknownParameter", n),
};

describe("EC2 core: CIDR math", () => {
  it("parses to the canonical form, rejects what is not a CIDR", () => {
    assert.equal(formatCidr(parseCidr("100.68.0.18/18")!), "100.68.0.0/18");
    for (const bad of ["10.0.0/16", "10.0.0.0/33", "256.0.0.0/8", "10.0.0.0", "a.b.c.d/8", "010.0.0.0/8"]) assert.equal(parseCidr(bad), undefined, bad);
  });
  it("containment, overlap, blocks, usable addresses", () => {
    const vpc = parseCidr("10.0.0.0/16")!;
    assert.ok(cidrContains(vpc, parseCidr("10.0.255.0/24")!));
    assert.ok(!cidrContains(vpc, parseCidr("10.1.0.0/24")!));
    assert.ok(!cidrContains(parseCidr("10.0.1.0/24")!, vpc));
    assert.ok(cidrsOverlap(parseCidr("10.0.1.0/24")!, parseCidr("10.0.1.128/25")!));
    assert.ok(!cidrsOverlap(parseCidr("10.0.1.0/24")!, parseCidr("10.0.2.0/24")!));
    assert.equal(formatCidr(nthBlock(parseCidr("172.31.0.0/16")!, 20, 2)), "172.31.32.0/20");
    assert.equal(usableAddresses(parseCidr("10.0.0.0/24")!), 251);
  });
});

describe("EC2 core: filters, zones, tags", () => {
  it("wildcards and escapes", () => {
    assert.ok(filterPattern("10.0.*").test("10.0.1.0/24"));
    assert.ok(filterPattern("web-?").test("web-1"));
    assert.ok(!filterPattern("web-?").test("web-12"));
    assert.ok(filterPattern("a\\*b").test("a*b"));
    assert.ok(!filterPattern("a\\*b").test("axb"));
  });
  it("values OR, filters AND, tag filters, unknown names refused", () => {
    const items = [
      { id: "a", az: "x", tags: [{ Key: "Name", Value: "one" }] },
      { id: "b", az: "y", tags: [] },
      { id: "c", az: "x", tags: [{ Key: "Name", Value: "two" }] },
    ];
    const table = { az: (i: (typeof items)[0]) => i.az };
    const ids = (f: Array<{ Name: string; Values: string[] }>) => applyFilters(items, f, table, (i) => i.tags).map((i) => i.id);
    assert.deepEqual(ids([{ Name: "az", Values: ["x", "y"] }]), ["a", "b", "c"]);
    assert.deepEqual(ids([{ Name: "az", Values: ["x"] }, { Name: "tag:Name", Values: ["t*"] }]), ["c"]);
    assert.deepEqual(ids([{ Name: "tag-key", Values: ["Name"] }]), ["a", "c"]);
    assert.throws(() => ids([{ Name: "nope", Values: ["1"] }]), /The filter 'nope' is invalid/);
  });
  it("zones and zone ids", () => {
    assert.equal(regionShortName("ap-southeast-2"), "apse2");
    assert.deepEqual(zonesOf("eu-west-1").map((z) => `${z.zoneName}/${z.zoneId}`), ["eu-west-1a/euw1-az1", "eu-west-1b/euw1-az2", "eu-west-1c/euw1-az3"]);
    assert.equal(zonesOf("xx-nowhere-9").length, 3);
  });
  it("tag rules", () => {
    assert.throws(() => checkTags([{ Key: "aws:x", Value: "1" }]), /reserved/);
    assert.deepEqual(checkTags([{ Key: "k" }]), [{ Key: "k", Value: "" }]);
    const merged = mergeTags([{ Key: "a", Value: "1" }], [{ Key: "a", Value: "2" }, { Key: "b", Value: "3" }]);
    assert.deepEqual(merged, [{ Key: "a", Value: "2" }, { Key: "b", Value: "3" }]);
    assert.throws(() => mergeTags([], Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "" }))), /maximum number of Tags/);
    assert.deepEqual(removeTags(merged, [{ Key: "a", Value: "9" }]), merged);
    assert.deepEqual(removeTags(merged, [{ Key: "a" }]), [{ Key: "b", Value: "3" }]);
    assert.deepEqual(removeTags(merged, undefined), []);
  });
});

describe("EC2 core: security group rules", () => {
  it("normalises protocols and ports", () => {
    assert.equal(normalizeProtocol("TCP"), "tcp");
    assert.equal(normalizeProtocol("6"), "tcp");
    assert.equal(normalizeProtocol("all"), "-1");
    assert.equal(normalizeProtocol("50"), "50");
    assert.throws(() => normalizeProtocol("bogus"), /Unknown protocol/);
    const [r] = flattenPermissions([{ IpProtocol: "-1", FromPort: 0, ToPort: 0, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }], true);
    assert.deepEqual([r!.fromPort, r!.toPort], [-1, -1]);
    assert.throws(() => flattenPermissions([{ IpProtocol: "tcp", FromPort: 90, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }], false), /port range/);
    assert.throws(() => flattenPermissions([{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "10.0.0/8" }] }], false), /malformed/);
  });
  it("groups rules into IpPermissions and describes them as EC2 does", () => {
    const rules: SgRule[] = [
      { ruleId: "sgr-1", egress: false, protocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "0.0.0.0/0" },
      { ruleId: "sgr-2", egress: false, protocol: "tcp", fromPort: 80, toPort: 80, groupId: "sg-1" },
    ];
    const perms = groupPermissions(rules, "123");
    assert.equal(perms.length, 1);
    assert.deepEqual(perms[0]!.UserIdGroupPairs, [{ GroupId: "sg-1", UserId: "123" }]);
    assert.equal(describeRule(rules[0]!), "peer: 0.0.0.0/0, TCP, from port: 80, to port: 80, ALLOW");
  });
  it("ruleAllows: protocol, port range, CIDR, source group", () => {
    const web: SgRule = { ruleId: "r", egress: false, protocol: "tcp", fromPort: 80, toPort: 80, cidrIpv4: "10.0.0.0/16" };
    assert.ok(ruleAllows(web, { protocol: "tcp", port: 80, peerIp: "10.0.3.4", peerGroups: [] }));
    assert.ok(!ruleAllows(web, { protocol: "tcp", port: 81, peerIp: "10.0.3.4", peerGroups: [] }));
    assert.ok(!ruleAllows(web, { protocol: "udp", port: 80, peerIp: "10.0.3.4", peerGroups: [] }));
    assert.ok(!ruleAllows(web, { protocol: "tcp", port: 80, peerIp: "10.1.0.1", peerGroups: [] }));
    const db: SgRule = { ruleId: "r", egress: false, protocol: "tcp", fromPort: 5432, toPort: 5432, groupId: "sg-web" };
    assert.ok(ruleAllows(db, { protocol: "tcp", port: 5432, peerIp: "10.9.9.9", peerGroups: ["sg-web"] }));
    assert.ok(!ruleAllows(db, { protocol: "tcp", port: 5432, peerIp: "10.9.9.9", peerGroups: ["sg-other"] }));
    const all: SgRule = { ruleId: "r", egress: true, protocol: "-1", fromPort: -1, toPort: -1, cidrIpv4: "0.0.0.0/0" };
    assert.ok(ruleAllows(all, { protocol: "udp", port: 53, peerIp: "8.8.8.8", peerGroups: [] }));
  });
});

describe("EC2 protocol: Query input and XML output from the model", () => {
  it("reads flattened EC2 keys into the SDK's input shape", () => {
    const params = parseQueryPairs(
      "Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc-2&Filter.2.Name=tag%3AName&Filter.2.Value.1=a+b&MaxResults=10&VpcId.1=vpc-9",
    );
    const input = decodeQueryInput(ec2Model, "DescribeVpcsRequest", params, "ec2", errors);
    assert.deepEqual(input, {
      Filters: [
        { Name: "vpc-id", Values: ["vpc-1", "vpc-2"] },
        { Name: "tag:Name", Values: ["a b"] },
      ],
      VpcIds: ["vpc-9"],
      MaxResults: 10,
    });
    const tagged = decodeQueryInput(
      ec2Model,
      "CreateVpcRequest",
      parseQueryPairs("CidrBlock=10.0.0.0/16&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=x&AmazonProvidedIpv6CidrBlock=false"),
      "ec2",
      errors,
    );
    assert.deepEqual(tagged, { CidrBlock: "10.0.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "x" }] }], AmazonProvidedIpv6CidrBlock: false });
    const desc = decodeQueryInput(ec2Model, "CreateSecurityGroupRequest", parseQueryPairs("GroupName=web&GroupDescription=d"), "ec2", errors);
    assert.deepEqual(desc, { Description: "d", GroupName: "web" });
    assert.throws(() => decodeQueryInput(ec2Model, "DescribeVpcsRequest", parseQueryPairs("MaxResults=x"), "ec2", errors), /MaxResults=x/);
    assert.throws(() => decodeQueryInput(ec2Model, "DescribeVpcsRequest", parseQueryPairs("Nope=1"), "ec2", errors), /Nope/);
  });
  it("writes output with locationNames and <item> lists", () => {
    const w = new XmlWriter(ec2Model);
    const xml = w.members("DescribeVpcsResult", { Vpcs: [{ VpcId: "vpc-1", IsDefault: false, Tags: [{ Key: "a<b", Value: "it's" }], Unknown: 1 }] });
    assert.equal(xml, "<vpcSet><item><isDefault>false</isDefault><tagSet><item><key>a&lt;b</key><value>it's</value></item></tagSet><vpcId>vpc-1</vpcId></item></vpcSet>");
    assert.equal(w.members("DescribeVpcsResult", { Vpcs: [] }), "<vpcSet/>");
  });
});
