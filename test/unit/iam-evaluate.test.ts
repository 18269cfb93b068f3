import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluate } from "../../src/core/iam/evaluate.js";
import type { ContextValue } from "../../src/core/iam/context.js";
import { A, ALICE, B, BOB_B, ECS_TASKS, ROLE_ARN, ROOT, SESSION, allow, deny, pol, type Row } from "./iam-cases.js";

/**
 * The table of IAM policy-evaluation cases. Each row's description names the rule of the IAM
 * User Guide it checks ("Policy evaluation logic" = PEL, "Condition operators" = CO, "Resource"
 * = RES, "Action"/"NotAction" = ACT, "Variables" = VAR, "Conditions with multiple keys or
 * values" = MULTI, "Set operators for multivalued context keys" = SET).
 */
const CLUSTER = `arn:aws:ecs:us-east-1:${A}:cluster/prod`;
const T0 = "2026-12-03T12:00:00Z";

/** A row with one identity Allow statement guarded by `Condition: { op: { key: vals } }`. */
const c = (d: string, op: string, key: string, vals: unknown, ctx: Record<string, ContextValue>, want: Row["want"]): Row => ({
  d: `CO ${op}: ${d}`,
  identity: [pol(allow("ecs:ListClusters", "*", { Sid: "C", Condition: { [op]: { [key]: vals } } }))],
  action: "ecs:ListClusters",
  ctx,
  want,
  ...(want === "Allow" ? { by: "identity:C" } : { missing: "identity" }),
});

const rows: Row[] = [
  // --- PEL basics --------------------------------------------------------------------------
  { d: "PEL: no policy at all is an implicit deny", want: "ImplicitDeny", missing: "identity" },
  { d: "PEL: an identity Allow allows", identity: [pol(allow("ecs:ListClusters", "*", { Sid: "L" }))], want: "Allow", by: "identity:L" },
  { d: "PEL: an Allow for another action is an implicit deny", identity: [pol(allow("ecs:CreateCluster"))], want: "ImplicitDeny" },
  { d: "PEL: explicit deny overrides an allow in the same policy", identity: [pol([allow("ecs:*"), deny("ecs:ListClusters", "*", { Sid: "D" })])], want: "ExplicitDeny", by: "identity:D" },
  { d: "PEL: explicit deny in another attached policy wins", identity: [pol(allow("*")), pol(deny("ecs:List*", "*", { Sid: "D2" }))], want: "ExplicitDeny", by: "identity:D2" },
  { d: "PEL: a deny for another action does not deny", identity: [pol([allow("ecs:*"), deny("ecs:CreateCluster")])], want: "Allow" },
  { d: "PEL: a group policy (one more identity policy) allows", identity: [pol(allow("ecs:DescribeClusters")), pol(allow("ecs:ListClusters", "*", { Sid: "G" }))], want: "Allow", by: "identity:G" },
  { d: "PEL: the root user is allowed without policies", principal: ROOT, want: "Allow" },
  { d: "PEL: a resource policy's explicit deny applies even to the root user", principal: ROOT, resource: [pol(deny("ecs:ListClusters", "*", { Principal: "*", Sid: "RD" }), "resource")], want: "ExplicitDeny", by: "resource:RD" },
  { d: "PEL: Effect Deny with Action * denies everything", identity: [pol([allow("*"), deny("*", "*", { Sid: "All" })])], want: "ExplicitDeny", by: "identity:All" },
  // --- ACT ---------------------------------------------------------------------------------
  { d: "ACT: action names are case-insensitive", identity: [pol(allow("ECS:listclusters"))], want: "Allow" },
  { d: "ACT: service prefix is case-insensitive too", identity: [pol(allow("Ecs:List*"))], want: "Allow" },
  { d: "ACT: * wildcard within the action name", identity: [pol(allow("ecs:*Clusters"))], want: "Allow" },
  { d: "ACT: ? matches exactly one character", identity: [pol(allow("ecs:ListCluster?"))], want: "Allow" },
  { d: "ACT: ? does not match zero characters", identity: [pol(allow("ecs:ListClusters?"))], want: "ImplicitDeny" },
  { d: "ACT: service:* does not cover another service", identity: [pol(allow("logs:*"))], want: "ImplicitDeny" },
  { d: "ACT: a list of actions is OR", identity: [pol(allow(["logs:PutLogEvents", "ecs:ListClusters"]))], want: "Allow" },
  { d: "ACT: NotAction allows every action but the listed", identity: [pol({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })], want: "Allow" },
  { d: "ACT: NotAction does not allow the listed action", identity: [pol({ Effect: "Allow", NotAction: "ecs:List*", Resource: "*" })], want: "ImplicitDeny" },
  { d: "ACT: Deny with NotAction denies everything else", identity: [pol([allow("*"), { Effect: "Deny", NotAction: "iam:*", Resource: "*", Sid: "NA" }])], want: "ExplicitDeny", by: "identity:NA" },
  { d: "ACT: Deny with NotAction spares the listed action", identity: [pol([allow("*"), { Effect: "Deny", NotAction: "ecs:ListClusters", Resource: "*" }])], want: "Allow" },
  // --- RES ---------------------------------------------------------------------------------
  { d: "RES: exact ARN", identity: [pol(allow("ecs:DescribeClusters", CLUSTER))], action: "ecs:DescribeClusters", res: CLUSTER, want: "Allow" },
  { d: "RES: ARN is case-sensitive", identity: [pol(allow("ecs:DescribeClusters", CLUSTER.replace("prod", "Prod")))], action: "ecs:DescribeClusters", res: CLUSTER, want: "ImplicitDeny" },
  { d: "RES: * in the resource part", identity: [pol(allow("ecs:DescribeClusters", `arn:aws:ecs:us-east-1:${A}:cluster/*`))], action: "ecs:DescribeClusters", res: CLUSTER, want: "Allow" },
  { d: "RES: * for the region segment", identity: [pol(allow("ecs:DescribeClusters", `arn:aws:ecs:*:${A}:cluster/prod`))], action: "ecs:DescribeClusters", res: CLUSTER, want: "Allow" },
  { d: "RES: a trailing * in a segment matches beyond colons", identity: [pol(allow("ecs:DescribeClusters", "arn:aws:ecs:us-*"))], action: "ecs:DescribeClusters", res: CLUSTER, want: "Allow" },
  { d: "RES: a * inside a segment stays inside it", identity: [pol(allow("ecs:DescribeClusters", `arn:aws:ecs:us*1:cluster/prod`))], action: "ecs:DescribeClusters", res: CLUSTER, want: "ImplicitDeny" },
  { d: "RES: * in the resource part crosses / and :", identity: [pol(allow("logs:PutLogEvents", `arn:aws:logs:us-east-1:${A}:log-group:app*`))], action: "logs:PutLogEvents", res: `arn:aws:logs:us-east-1:${A}:log-group:app/web:log-stream:x`, want: "Allow" },
  { d: "RES: ? in the resource part", identity: [pol(allow("ecs:DescribeClusters", `arn:aws:ecs:us-east-1:${A}:cluster/pro?`))], action: "ecs:DescribeClusters", res: CLUSTER, want: "Allow" },
  { d: "RES: another account's ARN does not match", identity: [pol(allow("ecs:DescribeClusters", `arn:aws:ecs:us-east-1:${B}:cluster/prod`))], action: "ecs:DescribeClusters", res: CLUSTER, want: "ImplicitDeny" },
  { d: "RES: NotResource allows every other resource", identity: [pol({ Effect: "Allow", Action: "ecs:*", NotResource: `arn:aws:ecs:*:*:cluster/secret` })], action: "ecs:DescribeClusters", res: CLUSTER, want: "Allow" },
  { d: "RES: NotResource does not allow the listed resource", identity: [pol({ Effect: "Allow", Action: "ecs:*", NotResource: `arn:aws:ecs:*:*:cluster/p*` })], action: "ecs:DescribeClusters", res: CLUSTER, want: "ImplicitDeny" },
  { d: "RES: Deny with NotResource denies all but the listed", identity: [pol([allow("*"), { Effect: "Deny", Action: "*", NotResource: "arn:aws:ecs:*:*:cluster/dev", Sid: "NR" }])], action: "ecs:DescribeClusters", res: CLUSTER, want: "ExplicitDeny", by: "identity:NR" },
  { d: "RES: a list of resources is OR", identity: [pol(allow("ecs:DescribeClusters", ["arn:aws:ecs:*:*:cluster/dev", CLUSTER]))], action: "ecs:DescribeClusters", res: CLUSTER, want: "Allow" },
  { d: "RES: Resource * covers an action without a resource", identity: [pol(allow("ecs:ListClusters", "*"))], res: "*", want: "Allow" },
  { d: "RES: a specific ARN does not cover a resource-less (*) request", identity: [pol(allow("ecs:ListClusters", CLUSTER))], res: "*", want: "ImplicitDeny" },
  // --- VAR ---------------------------------------------------------------------------------
  { d: "VAR: ${aws:username} in Resource", identity: [pol(allow("iam:GetUser", `arn:aws:iam::${A}:user/\${aws:username}`))], action: "iam:GetUser", res: ALICE.arn, ctx: { "aws:username": "alice" }, want: "Allow" },
  { d: "VAR: ${aws:username} does not match another user", identity: [pol(allow("iam:GetUser", `arn:aws:iam::${A}:user/\${aws:username}`))], action: "iam:GetUser", res: `arn:aws:iam::${A}:user/bob`, ctx: { "aws:username": "alice" }, want: "ImplicitDeny" },
  { d: "VAR: an absent key leaves the resource unmatched", identity: [pol(allow("iam:GetUser", `arn:aws:iam::${A}:user/\${aws:username}`))], action: "iam:GetUser", res: ALICE.arn, want: "ImplicitDeny" },
  { d: "VAR: a default value is used when the key is absent", identity: [pol(allow("iam:GetUser", `arn:aws:iam::${A}:user/\${aws:username, 'alice'}`))], action: "iam:GetUser", res: ALICE.arn, want: "Allow" },
  { d: "VAR: variable key names are case-insensitive", identity: [pol(allow("iam:GetUser", `arn:aws:iam::${A}:user/\${AWS:UserName}`))], action: "iam:GetUser", res: ALICE.arn, ctx: { "aws:username": "alice" }, want: "Allow" },
  { d: "VAR: ${aws:PrincipalTag/team} in a condition value", identity: [pol(allow("ecs:ListClusters", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } }))], ctx: { "aws:PrincipalTag/team": "red", "aws:ResourceTag/team": "red" }, want: "Allow" },
  { d: "VAR: ${aws:PrincipalTag/team} differs", identity: [pol(allow("ecs:ListClusters", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } }))], ctx: { "aws:PrincipalTag/team": "red", "aws:ResourceTag/team": "blue" }, want: "ImplicitDeny" },
  { d: "VAR: ${*} is a literal * (not a wildcard)", identity: [pol(allow("s3:GetObject", "arn:aws:s3:::b/${*}"))], action: "s3:GetObject", res: "arn:aws:s3:::b/x", want: "ImplicitDeny" },
  { d: "VAR: ${*} matches a literal *", identity: [pol(allow("s3:GetObject", "arn:aws:s3:::b/${*}"))], action: "s3:GetObject", res: "arn:aws:s3:::b/*", want: "Allow" },
  { d: "VAR: ${?} matches a literal ?", identity: [pol(allow("s3:GetObject", "arn:aws:s3:::b/a${?}"))], action: "s3:GetObject", res: "arn:aws:s3:::b/a?", want: "Allow" },
  { d: "VAR: ${?} is not a wildcard", identity: [pol(allow("s3:GetObject", "arn:aws:s3:::b/a${?}"))], action: "s3:GetObject", res: "arn:aws:s3:::b/ax", want: "ImplicitDeny" },
  { d: "VAR: ${$} is a literal $", identity: [pol(allow("s3:GetObject", "arn:aws:s3:::b/${$}x"))], action: "s3:GetObject", res: "arn:aws:s3:::b/$x", want: "Allow" },
  { d: "VAR: Version 2008-10-17 has no variables: ${aws:username} is literal", identity: [pol(allow("iam:GetUser", `arn:aws:iam::${A}:user/\${aws:username}`), "identity", "2008-10-17")], action: "iam:GetUser", res: ALICE.arn, ctx: { "aws:username": "alice" }, want: "ImplicitDeny" },
  { d: "VAR: no Version means 2008-10-17: literal text matches itself", identity: [pol(allow("iam:GetUser", `arn:aws:iam::${A}:user/\${aws:username}`), "identity", null)], action: "iam:GetUser", res: `arn:aws:iam::${A}:user/\${aws:username}`, want: "Allow" },
  { d: "VAR: a multivalued key cannot be a variable", identity: [pol(allow("s3:GetObject", "arn:aws:s3:::b/${aws:TagKeys}"))], action: "s3:GetObject", res: "arn:aws:s3:::b/x", ctx: { "aws:TagKeys": ["x"] }, want: "ImplicitDeny" },
  // --- String operators ----------------------------------------------------------------------
  c("exact match", "StringEquals", "ecs:cluster", CLUSTER, { "ecs:cluster": CLUSTER }, "Allow"),
  c("case-sensitive", "StringEquals", "aws:PrincipalTag/team", "Red", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("several values are OR", "StringEquals", "aws:PrincipalTag/team", ["blue", "red"], { "aws:PrincipalTag/team": "red" }, "Allow"),
  c("no wildcards", "StringEquals", "aws:PrincipalTag/team", "r*", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("missing key is false", "StringEquals", "aws:PrincipalTag/team", "red", {}, "ImplicitDeny"),
  c("condition key names are case-insensitive", "StringEquals", "AWS:PRINCIPALTAG/TEAM", "red", { "aws:principaltag/team": "red" }, "Allow"),
  c("different value is true", "StringNotEquals", "aws:PrincipalTag/team", "blue", { "aws:PrincipalTag/team": "red" }, "Allow"),
  c("same value is false", "StringNotEquals", "aws:PrincipalTag/team", "red", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("several values are NOR", "StringNotEquals", "aws:PrincipalTag/team", ["blue", "red"], { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("missing key makes a negated operator true", "StringNotEquals", "aws:PrincipalTag/team", "red", {}, "Allow"),
  c("ignores case", "StringEqualsIgnoreCase", "aws:PrincipalTag/team", "RED", { "aws:PrincipalTag/team": "red" }, "Allow"),
  c("other value", "StringEqualsIgnoreCase", "aws:PrincipalTag/team", "blue", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("ignores case, negated", "StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "RED", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("other value, negated", "StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "blue", { "aws:PrincipalTag/team": "red" }, "Allow"),
  c("* wildcard", "StringLike", "ecs:cluster", `arn:aws:ecs:*:${A}:cluster/p*`, { "ecs:cluster": CLUSTER }, "Allow"),
  c("? wildcard", "StringLike", "aws:PrincipalTag/team", "r?d", { "aws:PrincipalTag/team": "red" }, "Allow"),
  c("case-sensitive", "StringLike", "aws:PrincipalTag/team", "R*", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("no match", "StringLike", "aws:PrincipalTag/team", "b*", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("match is false", "StringNotLike", "aws:PrincipalTag/team", "r*", { "aws:PrincipalTag/team": "red" }, "ImplicitDeny"),
  c("no match is true", "StringNotLike", "aws:PrincipalTag/team", "b*", { "aws:PrincipalTag/team": "red" }, "Allow"),
  c("missing key is true", "StringNotLike", "aws:PrincipalTag/team", "b*", {}, "Allow"),
  // --- Numeric -------------------------------------------------------------------------------
  c("equal", "NumericEquals", "s3:max-keys", "10", { "s3:max-keys": "10" }, "Allow"),
  c("10 vs 10.0 are equal numbers", "NumericEquals", "s3:max-keys", "10.0", { "s3:max-keys": "10" }, "Allow"),
  c("not equal", "NumericEquals", "s3:max-keys", "10", { "s3:max-keys": "11" }, "ImplicitDeny"),
  c("not a number never matches", "NumericEquals", "s3:max-keys", "10", { "s3:max-keys": "ten" }, "ImplicitDeny"),
  c("true when different", "NumericNotEquals", "s3:max-keys", "10", { "s3:max-keys": "11" }, "Allow"),
  c("false when equal", "NumericNotEquals", "s3:max-keys", "10", { "s3:max-keys": "10" }, "ImplicitDeny"),
  c("9 < 10", "NumericLessThan", "s3:max-keys", "10", { "s3:max-keys": "9" }, "Allow"),
  c("10 is not < 10", "NumericLessThan", "s3:max-keys", "10", { "s3:max-keys": "10" }, "ImplicitDeny"),
  c("10 <= 10", "NumericLessThanEquals", "s3:max-keys", "10", { "s3:max-keys": "10" }, "Allow"),
  c("11 is not <= 10", "NumericLessThanEquals", "s3:max-keys", "10", { "s3:max-keys": "11" }, "ImplicitDeny"),
  c("11 > 10", "NumericGreaterThan", "s3:max-keys", "10", { "s3:max-keys": "11" }, "Allow"),
  c("10 is not > 10", "NumericGreaterThan", "s3:max-keys", "10", { "s3:max-keys": "10" }, "ImplicitDeny"),
  c("10 >= 10", "NumericGreaterThanEquals", "s3:max-keys", 10, { "s3:max-keys": "10" }, "Allow"),
  c("9 is not >= 10", "NumericGreaterThanEquals", "s3:max-keys", "10", { "s3:max-keys": "9" }, "ImplicitDeny"),
  c("missing key is false", "NumericLessThan", "s3:max-keys", "10", {}, "ImplicitDeny"),
  // --- Date ----------------------------------------------------------------------------------
  c("same instant", "DateEquals", "aws:CurrentTime", T0, { "aws:CurrentTime": T0 }, "Allow"),
  c("epoch seconds equal the ISO time", "DateEquals", "aws:CurrentTime", String(Date.parse(T0) / 1000), { "aws:CurrentTime": T0 }, "Allow"),
  c("other instant", "DateEquals", "aws:CurrentTime", "2026-12-03T12:00:01Z", { "aws:CurrentTime": T0 }, "ImplicitDeny"),
  c("other instant, negated", "DateNotEquals", "aws:CurrentTime", "2026-12-03T12:00:01Z", { "aws:CurrentTime": T0 }, "Allow"),
  c("same instant, negated", "DateNotEquals", "aws:CurrentTime", T0, { "aws:CurrentTime": T0 }, "ImplicitDeny"),
  c("before the end date", "DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", { "aws:CurrentTime": T0 }, "Allow"),
  c("after the end date", "DateLessThan", "aws:CurrentTime", "2026-01-01", { "aws:CurrentTime": T0 }, "ImplicitDeny"),
  c("equal counts as <=", "DateLessThanEquals", "aws:CurrentTime", T0, { "aws:CurrentTime": T0 }, "Allow"),
  c("later is not <=", "DateLessThanEquals", "aws:CurrentTime", "2026-12-03T11:59:59Z", { "aws:CurrentTime": T0 }, "ImplicitDeny"),
  c("after the start", "DateGreaterThan", "aws:CurrentTime", "2026-12-03", { "aws:CurrentTime": T0 }, "Allow"),
  c("before the start", "DateGreaterThan", "aws:CurrentTime", "2026-12-04", { "aws:CurrentTime": T0 }, "ImplicitDeny"),
  c("equal counts as >=", "DateGreaterThanEquals", "aws:CurrentTime", T0, { "aws:CurrentTime": T0 }, "Allow"),
  c("zone offset: 13:00+01:00 is 12:00Z", "DateEquals", "aws:CurrentTime", "2026-12-03T13:00:00+01:00", { "aws:CurrentTime": T0 }, "Allow"),
  c("aws:EpochTime compared as a date", "DateGreaterThan", "aws:EpochTime", "2026-01-01T00:00:00Z", { "aws:EpochTime": String(Date.parse(T0) / 1000) }, "Allow"),
  // --- Bool, Binary, IP ---------------------------------------------------------------------------
  c("true", "Bool", "aws:SecureTransport", "true", { "aws:SecureTransport": "true" }, "Allow"),
  c("JSON true is the string true", "Bool", "aws:SecureTransport", true, { "aws:SecureTransport": "true" }, "Allow"),
  c("false vs true", "Bool", "aws:SecureTransport", "false", { "aws:SecureTransport": "true" }, "ImplicitDeny"),
  c("missing key is false", "Bool", "aws:MultiFactorAuthPresent", "false", {}, "ImplicitDeny"),
  c("same base64", "BinaryEquals", "s3:content", "QmluYXJ5", { "s3:content": "QmluYXJ5" }, "Allow"),
  c("other base64", "BinaryEquals", "s3:content", "QmluYXJ5", { "s3:content": "QmluYXJz" }, "ImplicitDeny"),
  c("inside the IPv4 CIDR", "IpAddress", "aws:SourceIp", "203.0.113.0/24", { "aws:SourceIp": "203.0.113.7" }, "Allow"),
  c("outside the IPv4 CIDR", "IpAddress", "aws:SourceIp", "203.0.113.0/24", { "aws:SourceIp": "203.0.114.7" }, "ImplicitDeny"),
  c("a bare address is a /32", "IpAddress", "aws:SourceIp", "203.0.113.7", { "aws:SourceIp": "203.0.113.7" }, "Allow"),
  c("inside the IPv6 CIDR", "IpAddress", "aws:SourceIp", "2001:db8:1234::/48", { "aws:SourceIp": "2001:db8:1234:ffff::1" }, "Allow"),
  c("outside the IPv6 CIDR", "IpAddress", "aws:SourceIp", "2001:db8:1234::/48", { "aws:SourceIp": "2001:db8:1235::1" }, "ImplicitDeny"),
  c("IPv4 address vs IPv6 block", "IpAddress", "aws:SourceIp", "::/0", { "aws:SourceIp": "10.0.0.1" }, "ImplicitDeny"),
  c("values are OR", "IpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.168.0.0/16"], { "aws:SourceIp": "192.168.3.4" }, "Allow"),
  c("outside is true", "NotIpAddress", "aws:SourceIp", "10.0.0.0/8", { "aws:SourceIp": "192.168.3.4" }, "Allow"),
  c("inside is false", "NotIpAddress", "aws:SourceIp", "10.0.0.0/8", { "aws:SourceIp": "10.1.2.3" }, "ImplicitDeny"),
  // --- ARN -------------------------------------------------------------------------------
  c("exact", "ArnEquals", "aws:PrincipalArn", ROLE_ARN, { "aws:PrincipalArn": ROLE_ARN }, "Allow"),
  c("wildcard per component", "ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/a*", { "aws:PrincipalArn": ROLE_ARN }, "Allow"),
  c("ArnEquals takes wildcards too", "ArnEquals", "aws:PrincipalArn", `arn:aws:iam::${A}:role/*`, { "aws:PrincipalArn": ROLE_ARN }, "Allow"),
  c("a component's * does not cross colons", "ArnLike", "aws:PrincipalArn", "arn:aws:*:role/app", { "aws:PrincipalArn": ROLE_ARN }, "ImplicitDeny"),
  c("other role", "ArnLike", "aws:PrincipalArn", `arn:aws:iam::${A}:role/web`, { "aws:PrincipalArn": ROLE_ARN }, "ImplicitDeny"),
  c("not an ARN never matches", "ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*", { "aws:PrincipalArn": "app" }, "ImplicitDeny"),
  c("other role, negated", "ArnNotEquals", "aws:PrincipalArn", `arn:aws:iam::${A}:role/web`, { "aws:PrincipalArn": ROLE_ARN }, "Allow"),
  c("match, negated", "ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*", { "aws:PrincipalArn": ROLE_ARN }, "ImplicitDeny"),
  c("missing key, negated, is true", "ArnNotLike", "aws:SourceArn", "arn:aws:ecs:*:*:*", {}, "Allow"),
  // --- Null -------------------------------------------------------------------------------
  c("true: key absent", "Null", "aws:RequestTag/team", "true", {}, "Allow"),
  c("true: key present is false", "Null", "aws:RequestTag/team", "true", { "aws:RequestTag/team": "red" }, "ImplicitDeny"),
  c("false: key present", "Null", "aws:RequestTag/team", "false", { "aws:RequestTag/team": "red" }, "Allow"),
  c("false: key absent is false", "Null", "aws:RequestTag/team", "false", {}, "ImplicitDeny"),
  // --- IfExists ---------------------------------------------------------------------------
  c("key absent: true", "StringEqualsIfExists", "ec2:InstanceType", "t3.micro", {}, "Allow"),
  c("key present and matching", "StringEqualsIfExists", "ec2:InstanceType", "t3.micro", { "ec2:InstanceType": "t3.micro" }, "Allow"),
  c("key present, not matching", "StringEqualsIfExists", "ec2:InstanceType", "t3.micro", { "ec2:InstanceType": "m5.large" }, "ImplicitDeny"),
  c("numeric, key absent", "NumericLessThanIfExists", "s3:max-keys", "10", {}, "Allow"),
  c("numeric, present, too big", "NumericLessThanIfExists", "s3:max-keys", "10", { "s3:max-keys": "20" }, "ImplicitDeny"),
  c("Bool, key absent", "BoolIfExists", "aws:MultiFactorAuthPresent", "true", {}, "Allow"),
  c("Bool, key present false", "BoolIfExists", "aws:MultiFactorAuthPresent", "true", { "aws:MultiFactorAuthPresent": "false" }, "ImplicitDeny"),
  c("IP, key absent", "IpAddressIfExists", "aws:SourceIp", "10.0.0.0/8", {}, "Allow"),
  c("ARN, key present, not matching", "ArnLikeIfExists", "aws:SourceArn", "arn:aws:ecs:*:*:cluster/*", { "aws:SourceArn": "arn:aws:s3:::b" }, "ImplicitDeny"),
  c("Date, key absent", "DateLessThanIfExists", "aws:TokenIssueTime", T0, {}, "Allow"),
  c("negated, key present and equal", "StringNotEqualsIfExists", "ecs:cluster", CLUSTER, { "ecs:cluster": CLUSTER }, "ImplicitDeny"),
  // --- SET ----------------------------------------------------------------------------------
  c("ForAnyValue: one tag key matches", "ForAnyValue:StringEquals", "aws:TagKeys", ["team", "env"], { "aws:TagKeys": ["cost", "env"] }, "Allow"),
  c("ForAnyValue: none matches", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], { "aws:TagKeys": ["cost", "env"] }, "ImplicitDeny"),
  c("ForAnyValue: missing key is false", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], {}, "ImplicitDeny"),
  c("ForAnyValue: empty set is false", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], { "aws:TagKeys": [] }, "ImplicitDeny"),
  c("ForAnyValue: StringLike", "ForAnyValue:StringLike", "aws:TagKeys", "te*", { "aws:TagKeys": ["cost", "team"] }, "Allow"),
  c("ForAnyValue: negated, one value not listed", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["team"], { "aws:TagKeys": ["team", "env"] }, "Allow"),
  c("ForAnyValue: negated, every value listed", "ForAnyValue:StringNotEquals", "aws:TagKeys", ["team"], { "aws:TagKeys": ["team"] }, "ImplicitDeny"),
  c("ForAnyValue: IfExists with the key missing", "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", ["team"], {}, "Allow"),
  c("ForAllValues: every key is allowed", "ForAllValues:StringEquals", "aws:TagKeys", ["team", "env"], { "aws:TagKeys": ["env"] }, "Allow"),
  c("ForAllValues: one key is not", "ForAllValues:StringEquals", "aws:TagKeys", ["team", "env"], { "aws:TagKeys": ["env", "cost"] }, "ImplicitDeny"),
  c("ForAllValues: missing key is true", "ForAllValues:StringEquals", "aws:TagKeys", ["team"], {}, "Allow"),
  c("ForAllValues: empty set is true", "ForAllValues:StringEquals", "aws:TagKeys", ["team"], { "aws:TagKeys": [] }, "Allow"),
  c("ForAllValues: case-insensitive variant", "ForAllValues:StringEqualsIgnoreCase", "aws:TagKeys", ["Team"], { "aws:TagKeys": ["TEAM", "team"] }, "Allow"),
  c("ForAllValues: negated, none listed", "ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], { "aws:TagKeys": ["team", "env"] }, "Allow"),
  c("ForAllValues: negated, one listed", "ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], { "aws:TagKeys": ["team", "secret"] }, "ImplicitDeny"),
  c("ForAllValues: aws:CalledVia only via ECS", "ForAllValues:StringEquals", "aws:CalledVia", "ecs.amazonaws.com", { "aws:CalledVia": ["ecs.amazonaws.com"] }, "Allow"),
  c("single-valued op over a list: any value", "StringEquals", "aws:CalledVia", "cloudformation.amazonaws.com", { "aws:CalledVia": ["ecs.amazonaws.com", "cloudformation.amazonaws.com"] }, "Allow"),
  // --- MULTI ----------------------------------------------------------------------------------
  { d: "MULTI: two operators are AND (both hold)", identity: [pol(allow("ecs:ListClusters", "*", { Condition: { Bool: { "aws:SecureTransport": "true" }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }))], ctx: { "aws:SecureTransport": "true", "aws:SourceIp": "10.0.0.1" }, want: "Allow" },
  { d: "MULTI: two operators are AND (one fails)", identity: [pol(allow("ecs:ListClusters", "*", { Condition: { Bool: { "aws:SecureTransport": "true" }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }))], ctx: { "aws:SecureTransport": "false", "aws:SourceIp": "10.0.0.1" }, want: "ImplicitDeny" },
  { d: "MULTI: two keys under one operator are AND", identity: [pol(allow("ecs:ListClusters", "*", { Condition: { StringEquals: { "aws:PrincipalTag/team": "red", "aws:ResourceTag/team": "red" } } }))], ctx: { "aws:PrincipalTag/team": "red", "aws:ResourceTag/team": "blue" }, want: "ImplicitDeny" },
  { d: "MULTI: an empty Condition block applies", identity: [pol(allow("ecs:ListClusters", "*", { Condition: {} }))], want: "Allow" },
  { d: "CO: a Deny whose condition fails does not deny", identity: [pol([allow("*"), deny("*", "*", { Condition: { Bool: { "aws:SecureTransport": "false" } } })])], ctx: { "aws:SecureTransport": "true" }, want: "Allow" },
  { d: "CO: a Deny on insecure transport denies", identity: [pol([allow("*"), deny("*", "*", { Sid: "TLS", Condition: { Bool: { "aws:SecureTransport": "false" } } })])], ctx: { "aws:SecureTransport": "false" }, want: "ExplicitDeny", by: "identity:TLS" },
  { d: "CO: deny unless MFA — BoolIfExists false on a missing key denies", identity: [pol([allow("*"), deny("*", "*", { Sid: "MFA", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } })])], want: "ExplicitDeny", by: "identity:MFA" },
  // --- boundaries and session policies -------------------------------------------------------------
  { d: "PEL boundary: identity and boundary both allow", identity: [pol(allow("ecs:*"))], boundary: pol(allow("ecs:List*")), want: "Allow" },
  { d: "PEL boundary: boundary without the action is an implicit deny", identity: [pol(allow("ecs:*"))], boundary: pol(allow("logs:*")), want: "ImplicitDeny", missing: "boundary" },
  { d: "PEL boundary: the boundary alone grants nothing", identity: [], boundary: pol(allow("*")), want: "ImplicitDeny", missing: "identity" },
  { d: "PEL boundary: a Deny in the boundary denies", identity: [pol(allow("*"))], boundary: pol([allow("*"), deny("ecs:ListClusters", "*", { Sid: "BD" })]), want: "ExplicitDeny", by: "boundary:BD" },
  { d: "PEL session: role policy and session policy both allow", principal: SESSION, identity: [pol(allow("ecs:*"))], session: [pol(allow("ecs:ListClusters"))], want: "Allow" },
  { d: "PEL session: session policy lacks the action", principal: SESSION, identity: [pol(allow("ecs:*"))], session: [pol(allow("ecs:Describe*"))], want: "ImplicitDeny", missing: "session" },
  { d: "PEL session: the session policy alone grants nothing", principal: SESSION, identity: [], session: [pol(allow("*"))], want: "ImplicitDeny", missing: "identity" },
  { d: "PEL session: any of several session policies allows", principal: SESSION, identity: [pol(allow("*"))], session: [pol(allow("logs:*")), pol(allow("ecs:ListClusters"))], want: "Allow" },
  { d: "PEL session: identity ∩ boundary ∩ session all allow", principal: SESSION, identity: [pol(allow("*"))], boundary: pol(allow("ecs:*")), session: [pol(allow("ecs:List*"))], want: "Allow" },
  { d: "PEL session: boundary missing with session present", principal: SESSION, identity: [pol(allow("*"))], boundary: pol(allow("logs:*")), session: [pol(allow("ecs:List*"))], want: "ImplicitDeny", missing: "boundary" },
  { d: "PEL session: a Deny in the session policy denies", principal: SESSION, identity: [pol(allow("*"))], session: [pol([allow("*"), deny("ecs:*", "*", { Sid: "SD" })])], want: "ExplicitDeny", by: "session:SD" },
  // --- resource-based policies ---------------------------------------------------------------
  { d: "PEL resource: same account, resource policy naming the user allows alone", resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: ALICE.arn }, Sid: "R" }), "resource")], want: "Allow", by: "resource:R" },
  { d: "PEL resource: naming the user passes an implicit deny in the boundary", resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: ALICE.arn } }), "resource")], boundary: pol(allow("logs:*")), want: "Allow" },
  { d: "PEL resource: naming the role session passes the session policy", principal: SESSION, resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: SESSION.arn } }), "resource")], session: [pol(allow("logs:*"))], want: "Allow" },
  { d: "PEL resource: naming the role allows a session without identity policy", principal: SESSION, resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: ROLE_ARN }, Sid: "RR" }), "resource")], want: "Allow", by: "resource:RR" },
  { d: "PEL resource: naming the role is limited by the boundary", principal: SESSION, resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: ROLE_ARN } }), "resource")], boundary: pol(allow("logs:*")), want: "ImplicitDeny", missing: "boundary" },
  { d: "PEL resource: naming the role is limited by the session policy", principal: SESSION, resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: ROLE_ARN } }), "resource")], session: [pol(allow("logs:*"))], want: "ImplicitDeny", missing: "session" },
  { d: "PEL resource: naming the account delegates to identity policies (none)", resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: `arn:aws:iam::${A}:root` } }), "resource")], want: "ImplicitDeny", missing: "identity" },
  { d: "PEL resource: naming the account + identity Allow allows", identity: [pol(allow("ecs:ListClusters", "*", { Sid: "I" }))], resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: A } }), "resource")], want: "Allow", by: "identity:I" },
  { d: "PEL resource: another principal named grants nothing", resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: `arn:aws:iam::${A}:user/bob` } }), "resource")], want: "ImplicitDeny" },
  { d: "PEL resource: a Deny naming the user denies over identity Allow", identity: [pol(allow("*"))], resource: [pol(deny("ecs:*", "*", { Principal: { AWS: ALICE.arn }, Sid: "RD" }), "resource")], want: "ExplicitDeny", by: "resource:RD" },
  { d: "PEL resource: a Deny naming someone else does not deny", identity: [pol(allow("*"))], resource: [pol(deny("ecs:*", "*", { Principal: { AWS: `arn:aws:iam::${A}:user/bob` } }), "resource")], want: "Allow" },
  { d: "PEL resource: Deny with NotPrincipal denies everyone not listed", identity: [pol(allow("*"))], resource: [pol(deny("ecs:*", "*", { NotPrincipal: { AWS: `arn:aws:iam::${A}:user/bob` }, Sid: "NP" }), "resource")], want: "ExplicitDeny", by: "resource:NP" },
  { d: "PEL resource: Deny with NotPrincipal spares the listed", identity: [pol(allow("*"))], resource: [pol(deny("ecs:*", "*", { NotPrincipal: { AWS: ALICE.arn } }), "resource")], want: "Allow" },
  { d: "PEL cross-account: resource policy alone is not enough", principal: BOB_B, resourceAccount: A, resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: BOB_B.arn } }), "resource")], want: "ImplicitDeny", missing: "identity" },
  { d: "PEL cross-account: identity alone is not enough", principal: BOB_B, resourceAccount: A, identity: [pol(allow("*"))], want: "ImplicitDeny", missing: "resource" },
  { d: "PEL cross-account: both sides allow (account principal)", principal: BOB_B, resourceAccount: A, identity: [pol(allow("*"))], resource: [pol(allow("ecs:ListClusters", "*", { Principal: { AWS: B }, Sid: "X" }), "resource")], want: "Allow", by: "resource:X" },
  // --- PassRole --------------------------------------------------------------------------------
  { d: "PassRole: allowed to pass the role to ECS tasks", identity: [pol(allow("iam:PassRole", ROLE_ARN, { Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } }))], action: "iam:PassRole", res: ROLE_ARN, ctx: { "iam:PassedToService": "ecs-tasks.amazonaws.com" }, want: "Allow" },
  { d: "PassRole: not to another service", identity: [pol(allow("iam:PassRole", ROLE_ARN, { Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } }))], action: "iam:PassRole", res: ROLE_ARN, ctx: { "iam:PassedToService": "ec2.amazonaws.com" }, want: "ImplicitDeny" },
  { d: "PassRole: not another role", identity: [pol(allow("iam:PassRole", `arn:aws:iam::${A}:role/ecs-*`))], action: "iam:PassRole", res: ROLE_ARN, want: "ImplicitDeny" },
  { d: "PassRole: iam:* covers it", identity: [pol(allow("iam:*"))], action: "iam:PassRole", res: ROLE_ARN, want: "Allow" },
  { d: "PassRole: ecs:* does not", identity: [pol(allow("ecs:*"))], action: "iam:PassRole", res: ROLE_ARN, want: "ImplicitDeny" },
  { d: "service principal: a resource policy naming ecs-tasks allows it", principal: ECS_TASKS, resource: [pol(allow("sts:AssumeRole", "*", { Principal: { Service: "ecs-tasks.amazonaws.com" } }), "resource")], action: "sts:AssumeRole", want: "Allow" },
];

describe("IAM policy evaluation table", () => {
  it(`has at least 120 rows (${rows.length})`, () => assert.ok(rows.length >= 120));
  for (const r of rows) {
    it(r.d, () => {
      const principal = r.principal ?? ALICE;
      const got = evaluate(
        { principal, action: r.action ?? "ecs:ListClusters", resource: r.res ?? "*", ...(r.resourceAccount ? { resourceAccount: r.resourceAccount } : {}), ...(r.ctx ? { context: r.ctx } : {}) },
        { identity: r.identity ?? [], ...(r.resource ? { resource: r.resource } : {}), ...(r.boundary ? { boundary: r.boundary } : {}), ...(r.session ? { session: r.session } : {}) },
      );
      assert.equal(got.decision, r.want, JSON.stringify(got));
      if (r.by) {
        const [type, sid] = r.by.split(":");
        assert.equal(got.deciding?.policyType, type);
        assert.equal(got.deciding?.statementSid, sid);
      }
      if (r.missing) assert.equal(got.missing, r.missing);
    });
  }
});
