// The one Node.js version check, used by bin/wharf.js, scripts/up.sh and scripts/test.sh.
// The required version is stated once, in package.json "engines". Written for any Node.js
// (no modern syntax), so an old one gets the message rather than a syntax error.
"use strict";
var path = require("path");
var fs = require("fs");

/** "20.18" from ">=20.18" (the only form Wharf's package.json uses). */
function requiredVersion(engines) {
  var m = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(String(engines || "").trim());
  if (!m) throw new Error("package.json engines.node must read '>=X.Y.Z', got '" + engines + "'");
  return m[1];
}

/** Whether `actual` (e.g. "20.20.2") is at least `required` (e.g. "20.18"). */
function satisfies(actual, required) {
  var a = String(actual).replace(/^v/, "").split(".").map(Number);
  var r = String(required).split(".").map(Number);
  for (var i = 0; i < 3; i++) {
    var x = a[i] || 0;
    var y = r[i] || 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** The message for a Node.js older than package.json asks for, or null when it is new enough. */
function nodeVersionProblem(actual, engines) {
  var required = requiredVersion(engines);
  if (satisfies(actual, required)) return null;
  return (
    "Wharf needs Node.js " + required + " or newer (package.json \"engines\": \">=" + required + "\"); " +
    "this is Node.js " + String(actual).replace(/^v/, "") + ". Install Node.js " + required.split(".")[0] +
    " (e.g. from https://nodejs.org or your distribution's nodejs package) and run it again."
  );
}

function enginesOfPackage() {
  var pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
  return pkg.engines && pkg.engines.node;
}

module.exports = { nodeVersionProblem: nodeVersionProblem, requiredVersion: requiredVersion, enginesOfPackage: enginesOfPackage };

if (require.main === module) {
  var problem = nodeVersionProblem(process.versions.node, enginesOfPackage());
  if (problem) {
    process.stderr.write("wharf: " + problem + "\n");
    process.exit(1);
  }
}
