import { serveStdio } from "../../protocol/index.ts";
import { createKubernetesProvider } from "./provider.ts";

/** `agent provider kubernetes`: serve the provider over stdio, mounted under MCP_IAC_SERVER_NAME. */
export async function main(): Promise<void> {
  await serveStdio(createKubernetesProvider().server());
}
