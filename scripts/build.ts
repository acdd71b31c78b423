/**
 * `npm run build`: the program bundled into dist/ for a fast start, declarations for the public provider
 * SDK, and the data files the code reads at run time.
 *
 * - dist/lib/: the agent bundled with rolldown (vite's bundler, so nothing new to install), split per
 *   dynamic import so each command and each built-in provider loads only its own code. A module graph
 *   of ~500 files (zod, the MCP SDK, ajv, yaml) becomes a few chunks: resolving and compiling hundreds of
 *   files was most of a start. Packages that are native, heavy or only behind a lazy import (Ink, the
 *   model SDKs, pg, dockerode, the cloud clients) stay external and load from node_modules when used.
 * - dist/bin/agent.js: the bin, a two-line shim into dist/lib/agent.js.
 * - dist/sdk/provider.js: `mcp-iac/provider`, with its dependencies external so a third party's zod and
 *   MCP SDK are the ones it shares; declarations beside the sources' layout (dist/tools/protocol/*.d.ts).
 * - Data files mirror the source tree (dist/prompts/templates, dist/evals/cases). Every
 *   `import.meta.url` of our own modules is rewritten to the URL the module would have at the same place
 *   under dist/, so `new URL("./templates/x.md", import.meta.url)` and the package.json look-ups resolve
 *   as they do from the sources.
 */

import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--out-dir DIR` builds elsewhere (the packaging test stages a package in a temporary folder).
const outIndex = process.argv.indexOf("--out-dir");
const dist = outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? "") : join(root, "dist");
const lib = join(dist, "lib");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/** Read by `new URL(..., import.meta.url)` at run time: source folder → the same place under dist/. */
const DATA = ["prompts/templates", "evals/cases", "evals/heldout"];

/**
 * Loaded from node_modules at run time rather than bundled: native addons or optional native parts
 * (pg, dockerode's ssh2), large SDKs reached only through a lazy import (models, clouds, Kubernetes),
 * and the TUI (Ink, React, yoga's WebAssembly). Bundling them would not make a start faster.
 */
const EXTERNAL = [
  "@anthropic-ai/sdk",
  "@aws-sdk/",
  "@kubernetes/client-node",
  "@langchain/",
  "dockerode",
  "ink",
  "openai",
  "pg",
  "react",
];

function isExternal(id: string): boolean {
  if (id.startsWith("node:")) return true;
  return EXTERNAL.some((name) => id === name || id.startsWith(name.endsWith("/") ? name : `${name}/`));
}

function isBare(id: string): boolean {
  return !id.startsWith(".") && !id.startsWith("/") && !id.startsWith("\0");
}

/** Our modules see `import.meta.url` as if they sat at dist/<their source path>.js (see above). */
function sourceLayoutUrls(): Plugin {
  return {
    name: "source-layout-import-meta-url",
    transform(code, id) {
      if (!id.startsWith(root + sep) || id.includes(`${sep}node_modules${sep}`)) return null;
      if (!code.includes("import.meta.url")) return null;
      const asBuilt = join(dist, relative(root, id)).replace(/\.tsx?$/, ".js");
      const fromChunk = relative(lib, asBuilt).split(sep).join("/");
      const url = `new URL(${JSON.stringify(fromChunk)}, import.meta.url).href`;
      return { code: code.replace(/\bimport\.meta\.url\b/g, url), map: null };
    },
  };
}

function fail(what: string): never {
  process.stderr.write(`build failed: ${what}\n`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });

await build({
  input: { agent: join(root, "bin/agent.js") },
  platform: "node",
  tsconfig: join(root, "tsconfig.json"),
  external: (id) => isExternal(id),
  plugins: [sourceLayoutUrls()],
  logLevel: "warn",
  output: {
    dir: lib,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
    sourcemap: false,
  },
}).catch((error: unknown) => fail(`rolldown (agent): ${String(error)}`));

await build({
  input: { provider: join(root, "tools/protocol/index.ts") },
  platform: "node",
  tsconfig: join(root, "tsconfig.json"),
  external: (id) => isBare(id),
  logLevel: "warn",
  output: {
    dir: join(dist, "sdk"),
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
  },
}).catch((error: unknown) => fail(`rolldown (provider SDK): ${String(error)}`));

// The bin stays at dist/bin/agent.js: the package's `bin`, and what built-in providers are spawned
// through (cli/workspace.ts resolves ../bin/agent.js).
mkdirSync(join(dist, "bin"), { recursive: true });
writeFileSync(join(dist, "bin/agent.js"), '#!/usr/bin/env node\nimport "../lib/agent.js";\n');
chmodSync(join(dist, "bin/agent.js"), 0o755);

const types = spawnSync(process.execPath, [tsc, "-p", "tsconfig.types.json", "--outDir", dist], {
  cwd: root,
  stdio: "inherit",
});
if (types.status !== 0) fail(`tsc -p tsconfig.types.json exited ${types.status ?? types.signal}`);

for (const folder of DATA) {
  const from = join(root, folder);
  if (!existsSync(from)) continue;
  cpSync(from, join(dist, folder), {
    recursive: true,
    filter: (path) => !path.endsWith("biome.json"),
  });
}
process.stdout.write(`built ${dist}\n`);
