/**
 * SLOW (about 30–60 s: a full build, `npm pack`, tsc): the package as users get it. Builds into a
 * staged copy of the package, packs the tarball, unpacks it where a project's node_modules would hold
 * it, and builds and runs the README's one-file provider against it through `mcp-iac/provider`.
 * Dependencies come from this checkout's node_modules (a symlink), so no registry is needed;
 * `.ci/run` installs the tarball with npm for real.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLE = join(ROOT, "examples/provider/kv-provider.ts");
const work = mkdtempSync(join(tmpdir(), "mcp-iac-pack-"));
let packed: string[] = [];
let installed = "";

function node(args: string[], cwd: string) {
  return spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 170_000 });
}

beforeAll(() => {
  const stage = join(work, "stage");
  mkdirSync(stage);
  for (const file of ["package.json", "README.md", "examples"])
    cpSync(join(ROOT, file), join(stage, file), { recursive: true });
  execFileSync(process.execPath, [join(ROOT, "scripts/build.ts"), "--out-dir", join(stage, "dist")], {
    stdio: "pipe",
  });
  const [report] = JSON.parse(
    execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
      cwd: stage,
      encoding: "utf8",
    }),
  ) as { filename: string; files: { path: string }[] }[];
  packed = report!.files.map((file) => file.path);
  // Where `npm install mcp-iac` puts it; its dependencies resolve through node_modules next to it.
  const app = join(work, "app");
  installed = join(app, "node_modules/mcp-iac");
  mkdirSync(installed, { recursive: true });
  execFileSync("tar", ["xzf", join(work, report!.filename), "-C", installed, "--strip-components=1"]);
  symlinkSync(join(ROOT, "node_modules"), join(installed, "node_modules"));
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The packages a command loads from node_modules, in its own process and every provider process it
 * starts (they inherit NODE_OPTIONS): what the bundle leaves external is loaded only where it is used.
 */
function packagesLoaded(args: string[], cwd: string, input?: string): Set<string> {
  const log = join(work, `loaded-${Math.random().toString(36).slice(2)}.log`);
  const hook = join(work, "record-loads.mjs");
  writeFileSync(
    hook,
    [
      'import { appendFileSync } from "node:fs";',
      'import { registerHooks } from "node:module";',
      "registerHooks({ load(url, context, next) {",
      '  if (url.includes("/node_modules/")) appendFileSync(process.env.LOADED_LOG, `${url}\\n`);',
      "  return next(url, context);",
      "} });",
    ].join("\n"),
  );
  const result = spawnSync(process.execPath, [join(installed, "dist/bin/agent.js"), ...args], {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    ...(input === undefined ? {} : { input }),
    env: { ...process.env, NODE_OPTIONS: `--import ${hook}`, LOADED_LOG: log },
  });
  expect(result.error).toBeUndefined();
  const urls = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
  // The last node_modules segment names the package; mcp-iac itself is installed under one too.
  const names = urls.map((url) => /.*node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? url);
  return new Set(names.filter((name) => name !== "mcp-iac"));
}

/** Loaded only where they are used: the TUI, the model SDKs, the PostgreSQL backend, the cloud providers. */
const HEAVY = [
  "ink",
  "react",
  "openai",
  "@anthropic-ai/sdk",
  "@langchain/core",
  "pg",
  "dockerode",
  "@aws-sdk/client-cloudcontrol",
  "@kubernetes/client-node",
];

describe("the packed tarball", () => {
  it("ships the build, the provider SDK's declarations and the data files read at run time, and no tests or sources", () => {
    expect(packed).toContain("dist/bin/agent.js");
    expect(packed).toContain("dist/tools/protocol/index.d.ts");
    expect(packed).toContain("dist/prompts/templates/planner-system.v1.md");
    expect(packed).toContain("examples/customer-portal.yaml");
    const unwanted = packed.filter(
      (path) =>
        /\.test\.|(^|\/)(test|bench|fixtures|testing)\/|test-support|test-helpers/.test(path) ||
        (/\.tsx?$/.test(path) && !path.endsWith(".d.ts") && !path.startsWith("examples/")),
    );
    expect(unwanted).toEqual([]);
  });

  it("runs `agent --help` and `agent --version` from the build", () => {
    const help = node([join(installed, "dist/bin/agent.js"), "--help"], work);
    expect(help.stderr).toBe("");
    expect(help.stdout).toContain("agent — AI-native infrastructure as code");
    const version = node([join(installed, "dist/bin/agent.js"), "--version"], work);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
  }, 180_000);

  it("runs the README's first command from the build in an empty folder, its providers and data files included", () => {
    // The bundle reads prompt templates and the package.json through import.meta.url, and spawns the
    // built-in providers through its own bin: all of that must resolve inside the installed package.
    const project = join(work, "readme-project");
    mkdirSync(project);
    const agent = join(installed, "dist/bin/agent.js");
    const goal = node(
      [agent, "deploy a web app with a load balancer and a postgres database", "--yes"],
      project,
    );
    expect(goal.stderr).toBe("");
    expect(goal.stdout).toContain("Done.");
    expect(goal.status).toBe(0);
    const shown = node([agent, "state", "show", "web-app", "--json"], project);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('"aws:rds:instance"');
  }, 180_000);

  it("loads only what each command uses: nothing from node_modules for --help, no dockerode before a Docker call, none of the heavy packages for a sandbox plan", () => {
    expect([...packagesLoaded(["--help"], work)]).toEqual([]);
    const initialize = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
    });
    expect([...packagesLoaded(["provider", "docker"], work, `${initialize}\n`)]).toEqual([]);
    const project = join(work, "plan-project");
    mkdirSync(project);
    const plan = packagesLoaded(["plan", "-f", join(installed, "examples/customer-portal.yaml")], project);
    expect(HEAVY.filter((name) => plan.has(name))).toEqual([]);
  }, 180_000);

  it("builds the README's one-file provider on mcp-iac/provider, and it passes the conformance suite", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const example = readFileSync(EXAMPLE, "utf8");
    // The README shows the example file verbatim, so what readers copy is what this test builds.
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``);
    const app = join(work, "app");
    writeFileSync(join(app, "package.json"), JSON.stringify({ type: "module", private: true }));
    writeFileSync(join(app, "kv-provider.ts"), example);
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
          outDir: "out",
          skipLibCheck: true,
        },
        files: ["kv-provider.ts"],
      }),
    );
    const tsc = node([join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], app);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(existsSync(join(app, "out/kv-provider.js"))).toBe(true);
    const conformance = node(
      [
        join(installed, "dist/bin/agent.js"),
        "provider",
        "test",
        "--",
        process.execPath,
        "out/kv-provider.js",
      ],
      app,
    );
    expect(conformance.stdout).toMatch(/\n1\d passed, 0 failed/);
    expect(conformance.status).toBe(0);
  }, 180_000);
});
