import { type ServeOptions, serveProvider } from "../../protocol/index.ts";
import { createKubernetesProvider } from "./provider.ts";

/** `agent provider kubernetes`: serve the provider over stdio, mounted under MCP_IAC_SERVER_NAME. */
export async function main(options: ServeOptions = {}): Promise<void> {
  const provider = createKubernetesProvider();
  await serveProvider(() => provider.server(), options);
}
