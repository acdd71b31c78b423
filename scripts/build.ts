/**
 * `npm run build`: the TypeScript sources to JavaScript in dist/, mirroring the source tree so every
 * `new URL("./x", import.meta.url)` resolves the same way in both; declaration files for the public
 * provider SDK only; then the data files the code reads at run time, next to the modules that read them.
 */

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--out-dir DIR` builds elsewhere (the packaging test stages a package in a temporary folder).
const outIndex = process.argv.indexOf("--out-dir");
const dist = outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? "") : join(root, "dist");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** Read by `new URL(..., import.meta.url)` at run time: source folder → the same place under dist/. */
const DATA = ["prompts/templates", "evals/cases"];

function run(args: string[]): void {
  const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    process.stderr.write(`build failed: tsc ${args.join(" ")} exited ${result.status ?? result.signal}\n`);
    process.exit(1);
  }
}

rmSync(dist, { recursive: true, force: true });
run(["-p", "tsconfig.build.json", "--outDir", dist]);
run(["-p", "tsconfig.types.json", "--outDir", dist]);
for (const folder of DATA) {
  const from = join(root, folder);
  if (!existsSync(from)) continue;
  cpSync(from, join(dist, folder), {
    recursive: true,
    filter: (path) => !path.endsWith("biome.json"),
  });
}
process.stdout.write(`built ${dist}\n`);
