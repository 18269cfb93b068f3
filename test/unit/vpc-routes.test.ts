import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compilePolicy, ownedChainRe } from "../../src/core/network/compile-policy.js";
import { parseSave, planRestore } from "../../src/core/network/iptables-plan.js";
import { EMPTY_NETWORK_POLICY, type NetworkPolicy } from "../../src/core/network/security-policy.js";
import { routeRules, type VpcBridge } from "../../src/core/network/vpc-routes.js";

/** Routing between one VPC's bridges: the rules, and where the route hook goes in DOCKER-USER. */

const PREFIX = "WHARF-rt1";
const bridge = (vpcId: string, subnetId: string, cidrBlock: string, name: string): VpcBridge => ({ vpcId, subnetId, cidrBlock, bridge: name });
const A = bridge("vpc-1", "subnet-a", "10.9.1.0/24", "br-aaaaaaaaaaaa");
const B = bridge("vpc-1", "subnet-b", "10.9.2.0/24", "br-bbbbbbbbbbbb");
const C = bridge("vpc-2", "subnet-c", "10.8.1.0/24", "br-cccccccccccc");
const D = bridge("vpc-1", "subnet-d", "10.9.3.0/24", "br-dddddddddddd");

const filtered: NetworkPolicy = {
  enis: [{ networkInterfaceId: "eni-1", privateIpv4Address: "10.9.1.4", subnetId: "subnet-a", subnetCidrBlock: "10.9.1.0/24", subnetGatewayIpv4Address: "10.9.1.1", securityGroupIds: ["sg-1"] }],
  groups: [{ GroupId: "sg-1", IpPermissions: [], IpPermissionsEgress: [] }],
  groupMembers: {},
};

/** A dump with Docker's DOCKER-USER (its RETURN last) holding `rules` before the RETURN, and `chains` declared. */
function dump(rules: string[], chains: string[] = []): string {
  return [
    "*filter",
    ":FORWARD DROP [0:0]",
    ":DOCKER-USER - [0:0]",
    ":DOCKER-ISOLATION-STAGE-1 - [0:0]",
    ...chains.map((c) => `:${c} - [0:0]`),
    "-A FORWARD -j DOCKER-USER",
    "-A FORWARD -j DOCKER-ISOLATION-STAGE-1",
    ...rules.map((r) => `-A DOCKER-USER ${r}`),
    "-A DOCKER-USER -j RETURN",
    "COMMIT",
  ].join("\n");
}

describe("routeRules", () => {
  it("accepts both directions between every two bridges of one VPC, by bridge and block; none across VPCs", () => {
    assert.deepEqual(routeRules([C, B, A]), [
      ["-s", "10.9.1.0/24", "-d", "10.9.2.0/24", "-i", "br-aaaaaaaaaaaa", "-o", "br-bbbbbbbbbbbb", "-j", "ACCEPT"],
      ["-s", "10.9.2.0/24", "-d", "10.9.1.0/24", "-i", "br-bbbbbbbbbbbb", "-o", "br-aaaaaaaaaaaa", "-j", "ACCEPT"],
    ]);
    assert.equal(routeRules([A, B, D]).length, 6, "three subnets: every ordered pair");
    assert.deepEqual(routeRules([A, C]), [], "one bridge per VPC: nothing to route");
    assert.deepEqual(routeRules([A, { ...A, bridge: "br-other" }]), [], "a subnet listed twice counts once");
  });

  it("skips a malformed block or bridge name, with a warning", () => {
    const warnings: string[] = [];
    assert.deepEqual(routeRules([A, { ...B, cidrBlock: "10.9.2.0" }, { ...D, bridge: "a bridge name too long" }], (w) => warnings.push(w)), []);
    assert.equal(warnings.length, 2);
  });

  it("compilePolicy: the route chain is owned, last, and exists with or without security groups", () => {
    const routed = compilePolicy(EMPTY_NETWORK_POLICY, PREFIX, [A, B]);
    assert.equal(routed.entry, undefined);
    assert.equal(routed.routes, `${PREFIX}-VPC`);
    assert.deepEqual(routed.chains.map((c) => c.name), [`${PREFIX}-VPC`]);
    assert.ok(ownedChainRe(PREFIX).test(`${PREFIX}-VPC`));
    const both = compilePolicy(filtered, PREFIX, [A, B]);
    assert.equal(both.chains[0]!.name, `${PREFIX}-SG`);
    assert.equal(both.chains.at(-1)!.name, `${PREFIX}-VPC`);
    assert.equal(compilePolicy(filtered, PREFIX, [A, C]).routes, undefined);
  });
});

describe("planRestore: the route hook", () => {
  const want = compilePolicy(filtered, PREFIX, [A, B]);

  it("from nothing: the SG hook first, the route hook after it and before Docker's RETURN", () => {
    const plan = planRestore(want, parseSave(dump([]), PREFIX), PREFIX);
    const lines = plan.script!.split("\n");
    assert.ok(lines.includes(`-I DOCKER-USER 1 -j ${PREFIX}-SG`));
    assert.ok(lines.includes(`-I DOCKER-USER 2 -j ${PREFIX}-VPC`), plan.script);
  });

  it("goes after every other agent's SG hook too, and stays where it is once placed", () => {
    const other = ["-j WHARF-zz9-SG", "-j WHARF-yy8-SG"];
    const plan = planRestore(want, parseSave(dump(other), PREFIX), PREFIX);
    // After the insert of our SG hook at 1: [ours, zz9, yy8, RETURN] → the route hook at 4.
    assert.ok(plan.script!.split("\n").includes(`-I DOCKER-USER 4 -j ${PREFIX}-VPC`), plan.script);
    const names = want.chains.map((c) => c.name);
    const applied = dump([`-j ${PREFIX}-SG`, ...other, `-j ${PREFIX}-VPC`], names);
    const state = parseSave(applied + "\n", PREFIX);
    for (const c of want.chains) state.owned.set(c.name, { hash: c.hash, rules: c.rules.length });
    assert.equal(planRestore(want, state, PREFIX).script, undefined, "well placed: nothing to do");
  });

  it("moves a route hook that sits before an SG hook or after the RETURN; removes it when nothing is routed", () => {
    const names = want.chains.map((c) => c.name);
    const misplaced = parseSave(dump([`-j ${PREFIX}-SG`, `-j ${PREFIX}-VPC`, "-j WHARF-zz9-SG"], names), PREFIX);
    for (const c of want.chains) misplaced.owned.set(c.name, { hash: c.hash, rules: c.rules.length });
    const lines = planRestore(want, misplaced, PREFIX).script!.split("\n");
    assert.deepEqual(lines.filter((l) => l.includes("-VPC")), [`-D DOCKER-USER -j ${PREFIX}-VPC`, `-I DOCKER-USER 3 -j ${PREFIX}-VPC`]);

    const afterReturn = dump([`-j ${PREFIX}-SG`], names).replace("-A DOCKER-USER -j RETURN", `-A DOCKER-USER -j RETURN\n-A DOCKER-USER -j ${PREFIX}-VPC`);
    const late = parseSave(afterReturn, PREFIX);
    for (const c of want.chains) late.owned.set(c.name, { hash: c.hash, rules: c.rules.length });
    assert.deepEqual(planRestore(want, late, PREFIX).script!.split("\n").filter((l) => l.includes("-VPC")), [`-D DOCKER-USER -j ${PREFIX}-VPC`, `-I DOCKER-USER 2 -j ${PREFIX}-VPC`]);

    const none = planRestore(compilePolicy(filtered, PREFIX), misplaced, PREFIX);
    const gone = none.script!.split("\n");
    assert.ok(gone.includes(`-D DOCKER-USER -j ${PREFIX}-VPC`) && gone.includes(`-X ${PREFIX}-VPC`), none.script);
    assert.deepEqual(none.removed, [`${PREFIX}-VPC`]);
  });
});
