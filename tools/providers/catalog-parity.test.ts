import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ToolHandlers } from "../protocol/index.ts";
import { createMockProvider } from "./mock/provider.ts";

/**
 * One catalog truth (design §4): for each prefix, the sandbox (mock) and the real provider describe
 * the same types with the same property and output names, so a spec planned in the sandbox runs on the
 * real thing. Each real provider joins with one line here; describing needs no platform: each answers
 * describeResourceTypes with no engine, firewall, account or cluster behind it.
 */
const REAL_PROVIDERS: { prefix: string; tools: () => Promise<ToolHandlers>; namesOnly?: boolean }[] = [
  {
    prefix: "docker",
    // Not yet folded into tools/protocol/catalog: names agree, but the engine replaces networks and
    // volumes for a label change and images for new tags where the mock updates in place.
    namesOnly: true,
    tools: async () =>
      (await import("./docker/server.ts")).createDockerProvider({
        dockerHost: "unix:///nonexistent/docker.sock",
      }).tools,
  },
  {
    prefix: "opnsense",
    tools: async () => (await import("./opnsense/server.ts")).createOpnsenseProvider({ env: {} }).tools,
  },
  {
    prefix: "aws",
    tools: async () => (await import("./aws/server.ts")).createAwsProvider({ mountName: "aws" }).tools,
  },
  {
    prefix: "kubernetes",
    tools: async () =>
      (await import("./kubernetes/provider.ts")).createKubernetesProvider({
        env: { KUBECONFIG: "/nonexistent/kubeconfig" },
      }).tools,
  },
];

interface Described {
  type: string;
  properties: { properties?: Record<string, unknown> };
  outputs: { properties?: Record<string, unknown> };
  replaceOnChange: string[];
  secretProperties: string[];
  stateful?: boolean;
}

async function describeAll(tools: ToolHandlers, types?: string[]): Promise<Map<string, Described>> {
  // `types` (design §3) lets a server with many types describe the catalog's on demand.
  const describe = tools.describeResourceTypes as (input: object) => Promise<unknown>;
  const data = (await describe(types ? { types } : {})) as { types: Described[] };
  return new Map(data.types.map((entry) => [entry.type, entry]));
}

const names = (schema: { properties?: Record<string, unknown> }) =>
  Object.keys(schema.properties ?? {}).sort();

describe("the mock and the real provider describe the same catalog", () => {
  const folder = mkdtempSync(join(tmpdir(), "mcp-iac-parity-"));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  for (const real of REAL_PROVIDERS) {
    it(`${real.prefix}: same types, same property and output names, same replacement and secrets`, async () => {
      const mock = createMockProvider({
        env: {},
        mountName: real.prefix,
        worldFile: join(folder, `${real.prefix}.world.json`),
      });
      try {
        const sandbox = await describeAll(mock.tools);
        const live = await describeAll(await real.tools(), [...sandbox.keys()]);
        const shape = (types: Map<string, Described>) =>
          Object.fromEntries(
            [...types.values()].map((entry) => [
              entry.type,
              {
                properties: names(entry.properties),
                outputs: names(entry.outputs),
                // What forces a replacement, what is secret and what holds data: the plan and the
                // policies read these, so the sandbox must say what the real provider says.
                ...(real.namesOnly
                  ? {}
                  : {
                      replaceOnChange: [...entry.replaceOnChange].sort(),
                      secretProperties: [...entry.secretProperties].sort(),
                      stateful: entry.stateful === true,
                    }),
              },
            ]),
          );
        expect(shape(live)).toEqual(shape(sandbox));
        // And what the real provider serves by default is what the sandbox offers.
        const defaults = await describeAll(await real.tools());
        expect([...defaults.keys()].sort()).toEqual([...sandbox.keys()].sort());
      } finally {
        mock.close();
      }
    });
  }
});
