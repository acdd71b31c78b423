import { readFileSync } from "node:fs";
import {
  createResourceProvider,
  type ServeOptions,
  serveProvider,
  TOOL_NAMES,
  type ToolHandlers,
  type ToolName,
} from "../../protocol/index.ts";
import { containerType } from "./container-run.ts";
import { connectEngine, type Engine, engineProblem, unavailable } from "./engine.ts";
import { imageType } from "./image-build.ts";
import { lister } from "./list.ts";
import { networkType } from "./network-create.ts";
import { fileSnapshotStore, stateDirFrom } from "./snapshot-file-store.ts";
import { volumeType } from "./volume-create.ts";

export interface DockerProviderOptions {
  /** `unix:///path.sock` or `tcp://host:port`; default: DOCKER_HOST, else /var/run/docker.sock. */
  dockerHost?: string;
  /** Where snapshots are kept; default: DOCKER_PROVIDER_STATE_DIR, else .mcp-iac/docker-provider/. */
  stateDir?: string;
  /** Pull a container's image when the engine lacks it; default true, or DOCKER_PROVIDER_PULL=never turns it off. */
  pull?: boolean;
}

const NAME = "docker";

/** The package root is three folders up from the sources and four from the build (dist/). */
function packageVersion(): string {
  for (const path of ["../../../package.json", "../../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "mcp-iac") return pkg.version ?? "0.0.0";
    } catch {
      // not at this level: try the next
    }
  }
  return "0.0.0";
}

const INSTRUCTIONS =
  "Manages Docker images (built from local folders), containers, networks and volumes on one Docker engine. " +
  "Everything it creates carries the labels managed-by=mcp-iac and mcp-iac.deployment.";

/**
 * Tools that read only the schemas and the spec: they answer with no engine, so `agent providers`
 * and plan-time validation work offline.
 */
const ENGINE_FREE_TOOLS: ReadonlySet<ToolName> = new Set(["describeResourceTypes", "validateConfig"]);

/** Every other tool first checks that the engine answers, so an absent engine is one clear UNAVAILABLE. */
function guarded(tools: ToolHandlers, engine: Engine): ToolHandlers {
  const out: Record<string, (input: never) => Promise<unknown>> = {};
  for (const name of TOOL_NAMES) {
    const handler = tools[name] as (input: never) => unknown;
    if (ENGINE_FREE_TOOLS.has(name)) {
      out[name] = async (input) => handler(input);
      continue;
    }
    out[name] = async (input) => {
      if (await engineProblem(engine)) throw unavailable(engine);
      return handler(input);
    };
  }
  return out as unknown as ToolHandlers;
}

/** The Docker provider: the iac.mcp/v1 tools over dockerode, and an MCP server exposing them. */
export function createDockerProvider(options: DockerProviderOptions = {}) {
  const engine = connectEngine(options.dockerHost);
  const types = [
    imageType(engine),
    containerType(engine, { pull: options.pull ?? process.env.DOCKER_PROVIDER_PULL !== "never" }),
    networkType(engine),
    volumeType(engine),
  ];
  const version = packageVersion();
  const provider = createResourceProvider({
    name: NAME,
    version,
    instructions: INSTRUCTIONS,
    types,
    list: lister(engine, types),
    snapshots: fileSnapshotStore(engine, stateDirFrom(options.stateDir)),
    health: () => engineProblem(engine),
  });
  const tools = guarded(provider.tools, engine);
  return {
    engine,
    tools,
    server: () => provider.server(tools),
  };
}

/** `agent provider docker`: serve the provider over stdio. */
export async function main(options: ServeOptions = {}): Promise<void> {
  const provider = createDockerProvider();
  await serveProvider(() => provider.server(), options);
}
