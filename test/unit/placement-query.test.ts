import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileQuery, QueryError, targetFromInstance, type QueryableInstance } from "../../src/core/query/index.js";

const gpuBox: QueryableInstance = {
  ec2InstanceId: "i-0123456789abcdef0",
  registeredAt: Date.parse("2024-03-01T12:00:00Z") / 1000,
  runningTasksCount: 3,
  agentConnected: true,
  agentVersion: "1.80.0",
  attributes: {
    "ecs.instance-type": "g4dn.xlarge",
    "ecs.availability-zone": "us-east-1a",
    "ecs.cpu-count": "4",
    "com.amazonaws.ecs.capability.docker-remote-api.1.44": null,
  },
  taskGroups: { "service:web": 2, "family:batch": 1 },
};
const smallBox: QueryableInstance = {
  ec2InstanceId: "i-0fedcba9876543210",
  registeredAt: Date.parse("2018-06-18T00:00:00Z") / 1000,
  runningTasksCount: 0,
  agentConnected: false,
  agentVersion: "1.14.4",
  attributes: { "ecs.instance-type": "t2.small", "ecs.availability-zone": "us-east-1b", "ecs.cpu-count": "10" },
  taskGroups: {},
};

/** Evaluates `expr` on both instances: [gpuBox, smallBox]. */
const on = (expr: string): [boolean, boolean] => {
  const q = compileQuery(expr);
  return [q.test(targetFromInstance(gpuBox)), q.test(targetFromInstance(smallBox))];
};

const rejects = (expr: string, pattern: RegExp) => {
  assert.throws(
    () => compileQuery(expr),
    (e: unknown) => e instanceof QueryError && e.code === "InvalidParameterException" && pattern.test(e.message),
    `expected ${expr} to fail with ${pattern}`,
  );
};

describe("cluster query language: operators", () => {
  it("== / equals and != / not_equals", () => {
    assert.deepEqual(on("attribute:ecs.instance-type == g4dn.xlarge"), [true, false]);
    assert.deepEqual(on("attribute:ecs.instance-type equals t2.small"), [false, true]);
    assert.deepEqual(on("attribute:ecs.instance-type != g4dn.xlarge"), [false, true]);
    assert.deepEqual(on("attribute:ecs.instance-type not_equals g4dn.xlarge"), [false, true]);
    assert.deepEqual(on("attribute:ecs.missing != x"), [true, true], "an absent attribute is not equal to anything");
  });

  it(">, >=, <, <= compare numbers numerically and strings lexically", () => {
    assert.deepEqual(on("attribute:ecs.cpu-count > 4"), [false, true], "10 > 4 numerically");
    assert.deepEqual(on("attribute:ecs.cpu-count >= 4"), [true, true]);
    assert.deepEqual(on("attribute:ecs.cpu-count < 10"), [true, false]);
    assert.deepEqual(on("attribute:ecs.cpu-count <= 10"), [true, true]);
    assert.deepEqual(on("attribute:ecs.availability-zone greater_than us-east-1a"), [false, true]);
    assert.deepEqual(on("runningTasksCount greater_than_equal 3"), [true, false]);
    assert.deepEqual(on("runningTasksCount less_than 1"), [false, true]);
    assert.deepEqual(on("runningTasksCount less_than_equal 0"), [false, true]);
  });

  it("exists and !exists / not_exists, including valueless attributes", () => {
    assert.deepEqual(on("attribute:com.amazonaws.ecs.capability.docker-remote-api.1.44 exists"), [true, false]);
    assert.deepEqual(on("attribute:com.amazonaws.ecs.capability.docker-remote-api.1.44 !exists"), [false, true]);
    assert.deepEqual(on("attribute:ecs.instance-type not_exists"), [false, false]);
    assert.deepEqual(on("task:group exists"), [true, false]);
  });

  it("in and not_in / !in with [..] and (..) lists, quoted or not", () => {
    assert.deepEqual(on("attribute:ecs.availability-zone in [us-east-1a, us-east-1c]"), [true, false]);
    assert.deepEqual(on("attribute:ecs.availability-zone in ('us-east-1b', \"us-east-1c\")"), [false, true]);
    assert.deepEqual(on("attribute:ecs.availability-zone not_in [us-east-1a]"), [false, true]);
    assert.deepEqual(on("attribute:ecs.availability-zone !in [us-east-1a]"), [false, true]);
    assert.deepEqual(on("ec2InstanceId in ['i-0123456789abcdef0', 'i-nope']"), [true, false]);
  });

  it("=~ / matches and !~ / not_matches use whole-value (Java matches()) regular expressions", () => {
    assert.deepEqual(on("attribute:ecs.instance-type =~ g4dn.*"), [true, false]);
    assert.deepEqual(on("attribute:ecs.instance-type =~ g4dn"), [false, false], "must match the whole value");
    assert.deepEqual(on("attribute:ecs.instance-type matches t2\\.(micro|small)"), [false, true]);
    assert.deepEqual(on("attribute:ecs.instance-type !~ t2.*"), [true, false]);
    assert.deepEqual(on("attribute:ecs.instance-type not_matches 'g4dn.*'"), [false, true]);
    assert.deepEqual(on("ec2InstanceId =~ i-0f.*"), [false, true]);
  });

  it("and/&&, or/||, not/!, parentheses and precedence (and binds tighter)", () => {
    assert.deepEqual(on("attribute:ecs.instance-type =~ g4dn.* and attribute:ecs.availability-zone == us-east-1a"), [true, false]);
    assert.deepEqual(on("attribute:ecs.instance-type =~ g4dn.* && attribute:ecs.availability-zone == us-east-1b"), [false, false]);
    assert.deepEqual(on("attribute:ecs.instance-type == t2.small or runningTasksCount == 3"), [true, true]);
    assert.deepEqual(on("attribute:ecs.instance-type == nope || runningTasksCount == 0"), [false, true]);
    assert.deepEqual(on("not(task:group == service:web)"), [false, true]);
    assert.deepEqual(on("!(task:group == service:web)"), [false, true]);
    assert.deepEqual(on("runningTasksCount == 0 or runningTasksCount == 3 and agentConnected == false"), [false, true]);
    assert.deepEqual(on("(runningTasksCount == 0 or runningTasksCount == 3) and agentConnected == true"), [true, false]);
    assert.deepEqual(on("not not agentConnected == true"), [true, false]);
  });

  it("every named subject", () => {
    assert.deepEqual(on("agentConnected == true"), [true, false]);
    assert.deepEqual(on("agentVersion < 1.20.0"), [false, true], "versions compare by number, 1.14.4 < 1.20.0");
    assert.deepEqual(on("agentVersion >= 1.80"), [true, false]);
    assert.deepEqual(on("registeredAt < 2019-01-01"), [false, true]);
    assert.deepEqual(on("registeredAt >= 2024-03-01T12:00:00Z"), [true, false]);
    assert.deepEqual(on("registeredAt > 2024-03-01T11:00:00+00:00"), [true, false]);
    assert.deepEqual(on("registeredAt == 2018-06-18T00:00:00"), [false, true]);
    assert.deepEqual(on("task:group in [family:batch]"), [true, false]);
    assert.deepEqual(on("task:group =~ service:.*"), [true, false]);
    assert.deepEqual(on("task:group != service:web"), [false, true], "no task of the group on the instance");
  });
});

describe("cluster query language: errors say where the expression broke", () => {
  it("rejects bad expressions with InvalidParameterException", () => {
    rejects("", /expression is empty/);
    rejects("   ", /expression is empty/);
    rejects("attribute:ecs.instance-type", /expected an operator at the end/);
    rejects("attribute:ecs.instance-type ==", /expected a value at the end/);
    rejects("attribute: == x", /attribute name/);
    rejects("instanceType == t2.small", /unknown subject 'instanceType'.*position 1/);
    rejects("attribute:a lik x", /unknown operator 'lik'.*position 13/);
    rejects("attribute:a == x and", /expected an expression at the end/);
    rejects("attribute:a == x or or", /unknown subject 'or'|expected a subject/);
    rejects("(attribute:a == x", /expected '\)' at the end/);
    rejects("attribute:a == x)", /unbalanced '\)'/);
    rejects("attribute:a == x attribute:b == y", /expected 'and', 'or' or the end.*position 18/);
    rejects("attribute:a in x", /expected a list/);
    rejects("attribute:a in [x, y", /expected ',' or '\]'/);
    rejects("attribute:a in []", /expected a value/);
    rejects("attribute:a == 'open", /unterminated quoted value.*position 16/);
    rejects("attribute:a =~ (unclosed", /not a valid regular expression/);
    rejects("runningTasksCount =~ 1.*", /not valid for runningTasksCount/);
    rejects("runningTasksCount > many", /not a whole number/);
    rejects("agentVersion in [1.0]", /not valid for agentVersion/);
    rejects("registeredAt < yesterday", /not a valid date/);
    rejects("ec2InstanceId exists", /not valid for ec2InstanceId/);
    rejects("agentConnected > true", /not valid for agentConnected/);
  });

  it("quotes the expression in the message", () => {
    try {
      compileQuery("attribute:x ~= y");
      assert.fail("should throw");
    } catch (e) {
      assert.ok(e instanceof QueryError);
      assert.match(e.message, /^Invalid cluster query expression "attribute:x ~= y": unknown operator .* at position 13/);
      assert.equal(e.position, 12);
    }
  });

  it("marks expressions reading runningTasksCount or task:group as dynamic", () => {
    assert.equal(compileQuery("attribute:a == b").dynamic, false);
    assert.equal(compileQuery("attribute:a == b and not (task:group == x)").dynamic, true);
    assert.equal(compileQuery("runningTasksCount < 3").dynamic, true);
  });
});
