import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { type EmulatorOptions, OpnsenseEmulator } from "./emulator.ts";

export const RUN = fileURLToPath(new URL("../../tools/providers/opnsense/run.ts", import.meta.url));

export async function startEmulator(options: EmulatorOptions = {}): Promise<OpnsenseEmulator> {
  return new OpnsenseEmulator(options).start();
}

/** The provider's environment pointing at an emulator, with its own snapshot folder. */
export function providerEnv(emulator: OpnsenseEmulator, key = emulator.keys[0]!): Record<string, string> {
  return {
    OPNSENSE_URL: emulator.url,
    OPNSENSE_API_KEY: key.key,
    OPNSENSE_API_SECRET: key.secret,
    OPNSENSE_PROVIDER_STATE_DIR: mkdtempSync(join(tmpdir(), "opnsense-provider-")),
    OPNSENSE_TIMEOUT_MS: "5000",
  };
}

/** The provider as a stdio child, as the agent runs it. */
export async function stdioProvider(
  env: Record<string, string>,
): Promise<{ client: Client; close(): Promise<void> }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [RUN],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  const client = new Client({ name: "opnsense-test", version: "0.0.0" });
  await client.connect(transport);
  return { client, close: () => transport.close() };
}
