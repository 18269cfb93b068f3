import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ABSENT, decideRotation, optedIn, REDEPLOY_TAG, rotationMessage, secretReferences } from "../../src/core/secrets/rotation.js";

describe("secret rotation decisions (core/secrets/rotation.ts)", () => {
  it("opts in only with the tag set to true", () => {
    assert.equal(optedIn([{ key: REDEPLOY_TAG, value: "true" }]), true);
    assert.equal(optedIn([{ key: REDEPLOY_TAG, value: "TRUE" }]), true);
    assert.equal(optedIn([{ key: REDEPLOY_TAG, value: "false" }]), false);
    assert.equal(optedIn([{ key: "other", value: "true" }]), false);
  });
  it("collects container secrets, log secretOptions and repository credentials, each once", () => {
    const refs = secretReferences([
      { secrets: [{ valueFrom: "/app/db" }, { valueFrom: "arn:s" }], logConfiguration: { secretOptions: [{ valueFrom: "/app/log" }] } },
      { secrets: [{ valueFrom: "/app/db" }], repositoryCredentials: { credentialsParameter: "arn:repo" } },
    ]);
    assert.deepEqual(refs, ["/app/db", "arn:s", "/app/log", "arn:repo"]);
  });
  it("records on first sight and on a new task definition, redeploys when a version moves, ignores deletions", () => {
    assert.equal(decideRotation(undefined, "td:1", { a: "1" }).kind, "record");
    assert.equal(decideRotation({ taskDefinition: "td:1", versions: { a: "1" } }, "td:2", { a: "2" }).kind, "record");
    assert.equal(decideRotation({ taskDefinition: "td:1", versions: { a: "1" } }, "td:1", { a: "1" }).kind, "none");
    const d = decideRotation({ taskDefinition: "td:1", versions: { a: "1", b: "x" } }, "td:1", { a: "2", b: "x" });
    assert.equal(d.kind, "redeploy");
    assert.deepEqual(d.kind === "redeploy" ? d.changes : [], [{ valueFrom: "a", from: "1", to: "2" }]);
    const gone = decideRotation({ taskDefinition: "td:1", versions: { a: "1" } }, "td:1", { a: ABSENT });
    assert.equal(gone.kind, "record", "a deleted secret is no new value: remembered, no deployment");
  });
  it("names the secret and the versions in the service event", () => {
    assert.equal(
      rotationMessage("web", [{ valueFrom: "/app/db", from: "1", to: "2" }]),
      `(service web) started a new deployment because a secret it references changed: /app/db (version 1 → 2) (tag ${REDEPLOY_TAG}).`,
    );
  });
});
