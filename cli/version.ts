import { readFileSync } from "node:fs";

/**
 * This installation's version. The package root is one folder up from the sources (cli/) and two
 * from the build (dist/cli/), so both places are tried.
 */
export function packageVersion(): string {
  for (const path of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "mcp-iac" && pkg.version) return pkg.version;
    } catch {
      // not at this level: try the next
    }
  }
  return "0.0.0";
}
