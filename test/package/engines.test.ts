/**
 * `engines` says what users need: the oldest Node our package.json admits must satisfy every
 * production dependency's own `engines.node`, or an install on that Node warns (EBADENGINE) and the
 * dependency may use what that Node lacks. Caught: undici 8 (via openai and the Kubernetes client)
 * wants Node ≥ 22.19 while we said ≥ 22.18.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

type Version = [number, number, number];

function parse(text: string): Version {
  const [major = 0, minor = 0, patch = 0] = text
    .replace(/^v/, "")
    .split(".")
    .map((part) => (/^\d+$/.test(part) ? Number(part) : 0));
  return [major, minor, patch];
}

function compare(a: Version, b: Version): number {
  for (let index = 0; index < 3; index++) if (a[index] !== b[index]) return a[index]! - b[index]!;
  return 0;
}

/** One comparator of a node-semver range: >=, >, <=, <, =, ^, ~, a bare or x-range version. */
function satisfiesOne(version: Version, comparator: string): boolean {
  const match = /^(>=|<=|>|<|=|\^|~)?\s*v?([\dx*]+(?:\.[\dx*]+)*)$/.exec(comparator.trim());
  if (!match) throw new Error(`unsupported engines comparator "${comparator}"`);
  const [, op = "", raw = ""] = match;
  const parts = raw.split(".");
  const wild = parts.findIndex((part) => part === "x" || part === "*");
  const bound = parse(raw.replace(/[x*]/g, "0"));
  const order = compare(version, bound);
  if (op === ">=") return order >= 0;
  if (op === ">") return order > 0;
  if (op === "<=") return order <= 0;
  if (op === "<") return order < 0;
  if (op === "^") return order >= 0 && version[0] === bound[0];
  if (op === "~") return order >= 0 && version[0] === bound[0] && version[1] === bound[1];
  // A bare version with fewer parts (or an x) pins only the parts it names.
  const named = wild === -1 ? parts.length : wild;
  return version.slice(0, named).every((part, index) => part === bound[index]);
}

function satisfies(version: string, range: string): boolean {
  const parsed = parse(version);
  return range.split("||").some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1")
      .split(/\s+/)
      .filter(Boolean)
      .every((comparator) => satisfiesOne(parsed, comparator)),
  );
}

describe("engines", () => {
  it("reads ranges as npm does", () => {
    expect(satisfies("22.19.0", ">=22.19.0")).toBe(true);
    expect(satisfies("22.18.0", ">=22.19.0")).toBe(false);
    expect(satisfies("22.19.0", "^18.19.0 || >=20.5.0")).toBe(true);
    expect(satisfies("22.19.0", "^12.20.0 || ^14.13.1 || >=16.0.0")).toBe(true);
    expect(satisfies("22.19.0", ">= 0.8")).toBe(true);
    expect(satisfies("22.19.0", "20.x || 22.x")).toBe(true);
    expect(satisfies("22.19.0", "^20")).toBe(false);
    expect(satisfies("22.19.0", ">=18 <22")).toBe(false);
  });

  it("the oldest Node we admit satisfies every production dependency's engines", () => {
    const ours = (
      JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const oldest = /^>=\s*(\d+\.\d+(?:\.\d+)?)$/.exec(ours)?.[1];
    expect(oldest, `engines.node should read ">=X.Y": ${ours}`).toBeDefined();
    const folders = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .slice(1)
      .filter(Boolean);
    expect(folders.length).toBeGreaterThan(20);
    const unmet: string[] = [];
    for (const folder of folders) {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
        name: string;
        version: string;
        engines?: { node?: string };
      };
      const wanted = manifest.engines?.node;
      if (wanted && !satisfies(oldest!, wanted))
        unmet.push(`${manifest.name}@${manifest.version} wants ${wanted}`);
    }
    expect(unmet, `engines.node is ${ours}`).toEqual([]);
  });
});
