import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultDataDir } from "../../src/config.js";

describe("the per-user default data directory", () => {
  it("is $XDG_DATA_HOME/wharf on Linux when XDG_DATA_HOME is absolute", () => {
    assert.equal(defaultDataDir("linux", { XDG_DATA_HOME: "/data/me" }, "/home/me"), "/data/me/wharf");
  });

  it("is ~/.local/share/wharf when XDG_DATA_HOME is unset, empty or relative (the XDG spec ignores it then)", () => {
    for (const env of [{}, { XDG_DATA_HOME: "" }, { XDG_DATA_HOME: "rel/dir" }]) {
      assert.equal(defaultDataDir("linux", env, "/home/me"), "/home/me/.local/share/wharf");
    }
    assert.equal(defaultDataDir("freebsd", {}, "/home/me"), "/home/me/.local/share/wharf");
  });

  it("is ~/Library/Application Support/wharf on macOS, whatever XDG_DATA_HOME says", () => {
    assert.equal(defaultDataDir("darwin", { XDG_DATA_HOME: "/x" }, "/Users/me"), "/Users/me/Library/Application Support/wharf");
  });
});
