import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { lookupSecurityGroupRules, lookupSubnet } from "../src/api/ec2/index.js";
import { cidrContains, parseCidr } from "../src/core/ec2/cidr.js";
import { signedQuery } from "./helpers/signed-query.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * The EC2 API as a user meets it: the real `aws` CLI and @aws-sdk/client-ec2 against a running
 * Wharf. A new Region has its default VPC and subnets; a VPC with two subnets and the `web`
 * (80 from anywhere) and `db` (5432 from `web` only) groups is built; every bad input answers
 * EC2's error code.
 */
describe("EC2 API (SDK and aws CLI)", () => {
  let h: TestWharf;
  let ec2: EC2Client;
  const principal = () => ({ region: "us-east-1", accountId: h.server.accountId });
  const code = (p: Promise<unknown>) =>
    p.then(
      () => "(no error)",
      (e: { name: string }) => e.name,
    );

  before(async () => {
    // AWS's own default block (this file runs no task, so no Docker network can collide).
    h = await startTestWharf({ server: { serviceController: false, defaultVpcCidr: "172.31.0.0/16" } });
    ec2 = new EC2Client({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
  });
  after(async () => {
    ec2?.destroy();
    await h?.close();
  });

  it("a new Region has a default VPC, one default /20 subnet per zone and a default security group", async () => {
    const { Subnets } = await h.aws("ec2", "describe-subnets");
    const { AvailabilityZones } = await h.aws("ec2", "describe-availability-zones");
    const { Vpcs } = await h.aws("ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true");
    assert.equal(Vpcs.length, 1);
    assert.equal(Vpcs[0].CidrBlock, "172.31.0.0/16");
    assert.equal(Subnets.length, AvailabilityZones.length);
    assert.ok(AvailabilityZones.length >= 3);
    const vpcCidr = parseCidr("172.31.0.0/16")!;
    for (const s of Subnets) {
      assert.equal(s.DefaultForAz, true);
      assert.equal(s.VpcId, Vpcs[0].VpcId);
      assert.match(s.CidrBlock, /\/20$/);
      assert.ok(cidrContains(vpcCidr, parseCidr(s.CidrBlock)!));
      assert.equal(s.AvailableIpAddressCount, 4091);
      assert.match(s.SubnetId, /^subnet-[0-9a-f]{17}$/);
    }
    assert.deepEqual(new Set(Subnets.map((s: { AvailabilityZone: string }) => s.AvailabilityZone)).size, AvailabilityZones.length);
    const { SecurityGroups } = await h.aws("ec2", "describe-security-groups", "--filters", `Name=vpc-id,Values=${Vpcs[0].VpcId}`, "Name=group-name,Values=default");
    assert.equal(SecurityGroups.length, 1);
    assert.equal(SecurityGroups[0].IpPermissions[0].UserIdGroupPairs[0].GroupId, SecurityGroups[0].GroupId, "default group admits itself");
    assert.equal(SecurityGroups[0].IpPermissionsEgress[0].IpRanges[0].CidrIp, "0.0.0.0/0");
    const attrs = await h.aws("ec2", "describe-account-attributes", "--attribute-names", "default-vpc");
    assert.equal(attrs.AccountAttributes[0].AttributeValues[0].AttributeValue, Vpcs[0].VpcId);
    const { Regions } = await h.aws("ec2", "describe-regions");
    assert.ok(Regions.some((r: { RegionName: string }) => r.RegionName === "us-east-1"));
  });

  describe("a VPC with two subnets and the web and db groups", () => {
    let vpcId = "";
    let subnetA = "";
    let subnetB = "";
    let web = "";
    let db = "";

    before(async () => {
      const vpc = await h.aws("ec2", "create-vpc", "--cidr-block", "10.20.0.0/16", "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=app}]");
      vpcId = vpc.Vpc.VpcId;
      assert.match(vpcId, /^vpc-[0-9a-f]{17}$/);
      const a = await h.aws("ec2", "create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.20.1.0/24", "--availability-zone", "us-east-1a");
      const b = await h.aws("ec2", "create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.20.2.0/24", "--availability-zone", "us-east-1b",
        "--tag-specifications", "ResourceType=subnet,Tags=[{Key=Name,Value=app-b}]");
      subnetA = a.Subnet.SubnetId;
      subnetB = b.Subnet.SubnetId;
      web = (await h.aws("ec2", "create-security-group", "--group-name", "web", "--description", "web tier", "--vpc-id", vpcId)).GroupId;
      db = (await h.aws("ec2", "create-security-group", "--group-name", "db", "--description", "database", "--vpc-id", vpcId)).GroupId;
      await h.aws("ec2", "authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0");
      await h.aws("ec2", "authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432", "--source-group", web);
    });

    it("describes them back, with filters", async () => {
      const byTag = await h.aws("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=app");
      assert.deepEqual(byTag.Vpcs.map((v: { VpcId: string }) => v.VpcId), [vpcId]);
      const subnets = await h.aws("ec2", "describe-subnets", "--filters", `Name=vpc-id,Values=${vpcId}`);
      assert.deepEqual(subnets.Subnets.map((s: { SubnetId: string }) => s.SubnetId).sort(), [subnetA, subnetB].sort());
      const inA = await h.aws("ec2", "describe-subnets", "--filters", `Name=vpc-id,Values=${vpcId}`, "Name=availability-zone,Values=us-east-1a");
      assert.deepEqual(inA.Subnets.map((s: { SubnetId: string }) => s.SubnetId), [subnetA]);
      assert.equal(inA.Subnets[0].AvailableIpAddressCount, 251);
      const byCidr = await h.aws("ec2", "describe-subnets", "--filters", "Name=cidr-block,Values=10.20.2.*");
      assert.deepEqual(byCidr.Subnets.map((s: { SubnetId: string }) => s.SubnetId), [subnetB]);
      const tagged = await h.aws("ec2", "describe-subnets", "--filters", "Name=tag-key,Values=Name", `Name=vpc-id,Values=${vpcId}`);
      assert.deepEqual(tagged.Subnets.map((s: { SubnetId: string }) => s.SubnetId), [subnetB]);

      const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
      assert.deepEqual(groups.SecurityGroups!.map((g) => g.GroupName).sort(), ["db", "default", "web"]);
      const webGroup = groups.SecurityGroups!.find((g) => g.GroupName === "web")!;
      assert.deepEqual(webGroup.IpPermissions, [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], UserIdGroupPairs: [], PrefixListIds: [] },
      ]);
      const dbGroup = groups.SecurityGroups!.find((g) => g.GroupName === "db")!;
      assert.equal(dbGroup.IpPermissions![0]!.UserIdGroupPairs![0]!.GroupId, web);
      assert.equal(dbGroup.IpPermissions![0]!.IpRanges!.length, 0);
      const byName = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["db"] }, { Name: "vpc-id", Values: [vpcId] }] }));
      assert.deepEqual(byName.SecurityGroups!.map((g) => g.GroupId), [db]);
    });

    it("the rules have ids; DescribeSecurityGroupRules and revoking by id", async () => {
      const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [db] }] }));
      const ingress = rules.SecurityGroupRules!.filter((r) => !r.IsEgress);
      assert.equal(ingress.length, 1);
      assert.match(ingress[0]!.SecurityGroupRuleId!, /^sgr-[0-9a-f]{17}$/);
      assert.equal(ingress[0]!.ReferencedGroupInfo!.GroupId, web);
      assert.equal(ingress[0]!.FromPort, 5432);
      const added = await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: db, IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.20.0.0/16", Description: "ssh" }] }] }),
      );
      const ruleId = added.SecurityGroupRules![0]!.SecurityGroupRuleId!;
      assert.equal(added.SecurityGroupRules![0]!.Description, "ssh");
      await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: db, SecurityGroupRuleIds: [ruleId] }));
      const after = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ingress[0]!.SecurityGroupRuleId!] }));
      assert.equal(after.SecurityGroupRules!.length, 1);
      assert.equal(await code(ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ruleId] }))), "InvalidSecurityGroupRuleId.NotFound");
    });

    it("every subnet is associated with the VPC's default network ACL", async () => {
      const acls = await ec2.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "default", Values: ["true"] }] }));
      assert.equal(acls.NetworkAcls!.length, 1);
      assert.deepEqual(acls.NetworkAcls![0]!.Associations!.map((a) => a.SubnetId).sort(), [subnetA, subnetB].sort());
    });

    it("VPC attributes: DNS support on, hostnames off by default; ModifyVpcAttribute sets them", async () => {
      const dns = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: "enableDnsHostnames" }));
      assert.equal(dns.EnableDnsHostnames!.Value, false);
      await h.aws("ec2", "modify-vpc-attribute", "--vpc-id", vpcId, "--enable-dns-hostnames", '{"Value":true}');
      const after = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: "enableDnsHostnames" }));
      assert.equal(after.EnableDnsHostnames!.Value, true);
      const info = await lookupSubnet(h.server.deps, principal(), subnetA);
      const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
      const { SecurityGroups } = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "group-name", Values: ["default"] }] }));
      assert.equal(Vpcs!.length, 1);
      assert.deepEqual(info, {
        subnetId: subnetA,
        vpcId,
        cidrBlock: "10.20.1.0/24",
        availabilityZone: "us-east-1a",
        availabilityZoneId: "use1-az1",
        enableDnsHostnames: true,
        defaultSecurityGroupId: SecurityGroups![0]!.GroupId,
      });
      assert.equal(await lookupSubnet(h.server.deps, principal(), "subnet-00000000000000000"), undefined);
      const rules = await lookupSecurityGroupRules(h.server.deps, principal(), db);
      assert.equal(rules!.ingress.length, 1);
      assert.equal(rules!.ingress[0]!.groupId, web);
      assert.equal(rules!.egress[0]!.cidrIpv4, "0.0.0.0/0");
      assert.equal(
        await code(ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true }, EnableDnsSupport: { Value: true } }))),
        "InvalidParameterCombination",
      );
    });

    it("bad input gets EC2's error codes", async () => {
      const cli = (...args: string[]) => h.awsError("ec2", ...args).then((e) => e.code);
      assert.equal(await cli("create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.20.1.128/25"), "InvalidSubnet.Conflict");
      assert.equal(await cli("create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.99.0.0/24"), "InvalidSubnet.Range");
      assert.equal(await cli("create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.20.9.0/24", "--availability-zone", "eu-west-1a"), "InvalidParameterValue");
      assert.equal(await cli("create-subnet", "--vpc-id", "vpc-0123456789abcdef0", "--cidr-block", "10.20.9.0/24"), "InvalidVpcID.NotFound");
      assert.equal(await cli("create-vpc", "--cidr-block", "10.0.0.0/8"), "InvalidVpc.Range");
      assert.equal(await cli("create-vpc", "--cidr-block", "10.0.0/16"), "InvalidParameterValue");
      assert.equal(await cli("delete-vpc", "--vpc-id", vpcId), "DependencyViolation");
      assert.equal(await cli("delete-security-group", "--group-id", web), "DependencyViolation");
      assert.equal(await cli("create-security-group", "--group-name", "web", "--description", "again", "--vpc-id", vpcId), "InvalidGroup.Duplicate");
      assert.equal(await cli("authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "80", "--cidr", "0.0.0.0/0"), "InvalidPermission.Duplicate");
      assert.equal(await cli("authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "81", "--cidr", "10.0.0/8"), "InvalidParameterValue");
      assert.equal(await cli("authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "1", "--source-group", "sg-0123456789abcdef0"), "InvalidGroup.NotFound");
      assert.equal(await cli("revoke-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "443", "--cidr", "0.0.0.0/0"), "InvalidPermission.NotFound");
      assert.equal(await cli("describe-security-groups", "--group-ids", "sg-0123456789abcdef0"), "InvalidGroup.NotFound");
      assert.equal(await cli("describe-vpcs", "--vpc-ids", vpcId, "--max-results", "5"), "InvalidParameterCombination");
      assert.equal(await cli("describe-vpcs", "--filters", "Name=no-such-filter,Values=x"), "InvalidParameterValue");
      const defaultGroup = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }, { Name: "group-name", Values: ["default"] }] })))
        .SecurityGroups![0]!.GroupId!;
      assert.equal(await cli("delete-security-group", "--group-id", defaultGroup), "CannotDelete");
      // The SDK sends what it is given (no client-side required-member checks): the server decides.
      const missing = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "x", VpcId: vpcId } as never)).catch((e: Error) => e);
      assert.equal((missing as Error).name, "MissingParameter");
      assert.equal((missing as Error).message, "The request must contain the parameter GroupDescription");
      const small = await ec2.send(new DescribeVpcsCommand({ MaxResults: 1 })).catch((e: Error) => e);
      assert.equal((small as Error).name, "InvalidParameterValue");
      assert.equal((small as Error).message, "Value ( 1 ) for parameter maxResults is invalid. Expecting a value greater than 5.");
      assert.equal(await code(ec2.send(new CreateVpcCommand({} as never))), "MissingParameter");
      assert.equal(await code(ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16", DryRun: true }))), "DryRunOperation");
      const notBuilt = await ec2.send(new RunInstancesCommand({ ImageId: "ami-12345678", MinCount: 1, MaxCount: 1 })).catch((e: Error) => e);
      assert.equal((notBuilt as Error).name, "UnsupportedOperation");
      assert.match((notBuilt as Error).message, /RunInstances is not implemented by Wharf/);
    });

    it("tags: CreateTags, DescribeTags, DeleteTags", async () => {
      await h.aws("ec2", "create-tags", "--resources", subnetA, web, "--tags", "Key=team,Value=blue", "Key=Name,Value=a");
      const tags = await h.aws("ec2", "describe-tags", "--filters", "Name=key,Values=team");
      assert.deepEqual(tags.Tags.map((t: { ResourceId: string; ResourceType: string }) => `${t.ResourceType}:${t.ResourceId}`).sort(), [`security-group:${web}`, `subnet:${subnetA}`].sort());
      await h.aws("ec2", "delete-tags", "--resources", subnetA, "--tags", "Key=team,Value=red");
      assert.equal((await h.aws("ec2", "describe-tags", "--filters", `Name=resource-id,Values=${subnetA}`)).Tags.length, 2, "a value that does not match deletes nothing");
      await h.aws("ec2", "delete-tags", "--resources", subnetA, "--tags", "Key=team");
      const left = await ec2.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [subnetA] }] }));
      assert.deepEqual(left.Tags!.map((t) => t.Key), ["Name"]);
      assert.equal((await h.awsError("ec2", "create-tags", "--resources", "vpc-0123456789abcdef0", "--tags", "Key=a,Value=b")).code, "InvalidVpcID.NotFound");
      assert.equal((await h.awsError("ec2", "create-tags", "--resources", vpcId, "--tags", "Key=aws:x,Value=b")).code, "InvalidParameterValue");
    });

    it("paging: MaxResults and NextToken walk every group once", async () => {
      for (let i = 0; i < 6; i++) await ec2.send(new CreateSecurityGroupCommand({ GroupName: `page-${i}`, Description: "p", VpcId: vpcId }));
      const all = (await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups!.map((g) => g.GroupId!);
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5, NextToken: token }));
        assert.ok(page.SecurityGroups!.length <= 5);
        seen.push(...page.SecurityGroups!.map((g) => g.GroupId!));
        token = page.NextToken;
      } while (token);
      assert.deepEqual(seen, all);
      assert.ok(all.length > 5);
      const pages = await h.aws("ec2", "describe-security-groups", "--page-size", "5");
      assert.equal(pages.SecurityGroups.length, all.length, "the CLI's paginator follows NextToken");
      for (let i = 0; i < 6; i++) {
        const id = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [`page-${i}`] }] }))).SecurityGroups![0]!.GroupId!;
        await ec2.send(new DeleteSecurityGroupCommand({ GroupId: id }));
      }
    });

    it("internet gateway, route table, route and association; then everything deletes in order", async () => {
      const igw = (await h.aws("ec2", "create-internet-gateway")).InternetGateway.InternetGatewayId;
      await h.aws("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpcId);
      assert.equal((await h.awsError("ec2", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpcId)).code, "Resource.AlreadyAssociated");
      const rtb = (await h.aws("ec2", "create-route-table", "--vpc-id", vpcId)).RouteTable.RouteTableId;
      await h.aws("ec2", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw);
      assert.equal((await h.awsError("ec2", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)).code, "RouteAlreadyExists");
      const assoc = (await h.aws("ec2", "associate-route-table", "--route-table-id", rtb, "--subnet-id", subnetA)).AssociationId;
      const tables = await h.aws("ec2", "describe-route-tables", "--filters", `Name=vpc-id,Values=${vpcId}`);
      assert.equal(tables.RouteTables.length, 2);
      const main = tables.RouteTables.find((t: { Associations: Array<{ Main: boolean }> }) => t.Associations.some((a) => a.Main));
      assert.deepEqual(main.Routes, [{ DestinationCidrBlock: "10.20.0.0/16", GatewayId: "local", Origin: "CreateRouteTable", State: "active" }]);
      const mine = tables.RouteTables.find((t: { RouteTableId: string }) => t.RouteTableId === rtb);
      assert.deepEqual(mine.Routes.map((r: { DestinationCidrBlock: string; GatewayId: string }) => `${r.DestinationCidrBlock}>${r.GatewayId}`), ["10.20.0.0/16>local", `0.0.0.0/0>${igw}`]);
      assert.equal(mine.Associations[0].SubnetId, subnetA);
      assert.equal((await h.awsError("ec2", "delete-internet-gateway", "--internet-gateway-id", igw)).code, "DependencyViolation");
      assert.equal((await h.awsError("ec2", "delete-route-table", "--route-table-id", rtb)).code, "DependencyViolation");

      await h.aws("ec2", "disassociate-route-table", "--association-id", assoc);
      await h.aws("ec2", "delete-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0");
      await h.aws("ec2", "delete-route-table", "--route-table-id", rtb);
      await h.aws("ec2", "detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpcId);
      await h.aws("ec2", "delete-internet-gateway", "--internet-gateway-id", igw);
    });

    it("survives a control-plane restart, then deletes: groups, subnets, VPC", async () => {
      await h.stop();
      await h.restart();
      ec2 = new EC2Client({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
      const vpcs = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
      assert.equal(vpcs.Vpcs![0]!.CidrBlock, "10.20.0.0/16");
      assert.equal((await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs!.length, 1, "no second default VPC");
      await h.aws("ec2", "revoke-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432", "--source-group", web);
      await h.aws("ec2", "delete-security-group", "--group-id", web);
      await h.aws("ec2", "delete-security-group", "--group-id", db);
      await h.aws("ec2", "delete-subnet", "--subnet-id", subnetA);
      await h.aws("ec2", "delete-subnet", "--subnet-id", subnetB);
      await h.aws("ec2", "delete-vpc", "--vpc-id", vpcId);
      assert.equal(await code(ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))), "InvalidVpcID.NotFound");
      const left = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }));
      assert.deepEqual(left.SecurityGroups, [], "the VPC's default group went with it");
    });
  });

  it("Regions are separate: another Region has its own default VPC", async () => {
    const west = new EC2Client({ endpoint: h.server.url, region: "eu-west-1", credentials: h.server.credentials, maxAttempts: 1 });
    const subnets = await west.send(new DescribeSubnetsCommand({}));
    assert.deepEqual(subnets.Subnets!.map((s) => s.AvailabilityZone).sort(), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
    const east = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnets.Subnets![0]!.SubnetId!] })).catch((e: Error) => e.name);
    assert.equal(east, "InvalidSubnetID.NotFound");
    assert.equal(await code(west.send(new CreateSubnetCommand({ VpcId: subnets.Subnets![0]!.VpcId!, CidrBlock: "172.31.0.0/24" }))), "InvalidSubnet.Conflict");
    west.destroy();
  });

  it("wire format: EC2 XML responses and errors", async () => {
    const send = (body: string) => signedQuery(h, "ec2", body);
    const ok = await send("Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=is-default&Filter.1.Value.1=true");
    assert.equal(ok.status, 200);
    assert.match(ok.type ?? "", /^text\/xml/);
    assert.match(ok.text, /<DescribeVpcsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><vpcSet><item>/);
    assert.match(ok.text, /<isDefault>true<\/isDefault>/);
    const bad = await send("Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0000000000000000a");
    assert.equal(bad.status, 400);
    assert.match(
      bad.text,
      /<Response><Errors><Error><Code>InvalidVpcID\.NotFound<\/Code><Message>The vpc ID 'vpc-0000000000000000a' does not exist<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>/,
    );
    const unknown = await send("Action=DescribeVpcs&Version=2016-11-15&Bogus=1");
    assert.match(unknown.text, /<Code>UnknownParameter<\/Code><Message>The parameter Bogus is not recognized<\/Message>/);
    const action = await send("Action=NoSuchThing&Version=2016-11-15");
    assert.match(action.text, /<Code>InvalidAction<\/Code>/);
    const notInt = await send("Action=DescribeVpcs&Version=2016-11-15&MaxResults=abc");
    assert.match(notInt.text, /<Code>InvalidParameterValue<\/Code>/);
  });
});
