import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exampleFile, repoRoot } from "./harness.js";

/**
 * The local images (scripts/build-test-images.sh) standing in for the public images the
 * examples name. Tests run the examples with these names instead, so no test needs (or makes)
 * an image tagged like one a user may pull.
 */
export const LOCAL_IMAGES: Readonly<Record<string, string>> = {
  "nginx:alpine": "wharf-test/nginx:latest",
  "httpd:2.4": "wharf-test/httpd:latest",
};

/** An image as the tests run it: a public image of the examples → its wharf-test/* stand-in. */
export const localImage = (image: string): string => LOCAL_IMAGES[image] ?? image;

/** A task definition of examples/ (parsed) with its public images replaced by the local stand-ins. */
export function localExample(name: string): any {
  const td = JSON.parse(readFileSync(exampleFile(name), "utf8"));
  for (const c of td.containerDefinitions ?? []) c.image = localImage(c.image);
  return td;
}

/** Writes localExample(name) into `dir` under the same name and returns its path. */
export function writeLocalExample(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(localExample(name), null, 2));
  return path;
}

/** Copies every JSON example into `<dir>/examples/` with local images (what the README's commands read). */
export function writeLocalExamples(dir: string): void {
  const out = join(dir, "examples");
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(join(repoRoot, "examples"))) {
    if (f.endsWith(".json")) writeLocalExample(out, f);
  }
}
