import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PropertyMap, ToolHandlers } from "../../tools/protocol/index.ts";
import { createOpnsenseProvider } from "../../tools/providers/opnsense/server.ts";
import type { ApiKey, OpnsenseEmulator } from "./emulator.ts";

/** The provider's tools in this process, talking HTTP to the emulator (no mocks in between). */
export function providerFor(
  emulator: OpnsenseEmulator,
  key: ApiKey = emulator.keys[0]!,
  extra: Record<string, string> = {},
) {
  return createOpnsenseProvider({
    env: {
      OPNSENSE_URL: emulator.url,
      OPNSENSE_API_KEY: key.key,
      OPNSENSE_API_SECRET: key.secret,
      OPNSENSE_TIMEOUT_MS: "3000",
      ...extra,
    },
    stateDir: mkdtempSync(join(tmpdir(), "opnsense-snap-")),
  });
}

export async function create(
  tools: ToolHandlers,
  deploymentId: string,
  name: string,
  type: string,
  after: PropertyMap,
) {
  const { results } = await tools.applyDeployment({
    deploymentId,
    changes: [{ name, type, action: "create", after, diff: [] }],
  });
  return results[0]!;
}

export async function update(
  tools: ToolHandlers,
  deploymentId: string,
  name: string,
  type: string,
  id: string,
  after: PropertyMap,
) {
  const { results } = await tools.applyDeployment({
    deploymentId,
    changes: [{ name, type, id, action: "update", after, diff: [] }],
  });
  return results[0]!;
}

export async function destroy(
  tools: ToolHandlers,
  deploymentId: string,
  name: string,
  type: string,
  id: string,
) {
  const { results } = await tools.destroyDeployment({
    deploymentId,
    resources: [{ name, type, id, properties: {}, outputs: {}, status: "created" }],
  });
  return results[0]!;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The calls since the last take, as `METHOD /path body`, uuids blanked so that runs compare. */
export function takeCalls(emulator: OpnsenseEmulator): string[] {
  return emulator.calls.splice(0).map((call) => {
    const body =
      call.body && Object.keys(call.body as object).length > 0 ? ` ${JSON.stringify(call.body)}` : "";
    return `${call.method} ${call.path}${body}`.replace(UUID, "<uuid>");
  });
}
