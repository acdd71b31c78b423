import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileBackend, type FileBackendOptions } from "./file-backend.ts";

/**
 * n begin+settle pairs against the file backend in a temporary folder, as one apply of n resources
 * would write them (begin fsynced, group commit). Returns wall time and every byte written
 * (journal, documents, history copies); the folder is removed afterwards.
 */
export async function benchState(
  n: number,
  options: FileBackendOptions = {},
): Promise<{ ms: number; bytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-bench-state-"));
  try {
    const backend = createFileBackend(dir, options);
    const started = performance.now();
    const writer = await backend.open("bench", { command: "bench" });
    for (let i = 0; i < n; i++) {
      const name = `resource-${i}`;
      const op = await writer.beginOperation({
        runId: "bench",
        name,
        type: "mock:bench:item",
        server: "mock",
        action: "create",
      });
      await writer.settleOperation(op.opId, {
        put: {
          name,
          type: "mock:bench:item",
          server: "mock",
          id: `id-${i}`,
          properties: {
            index: i,
            cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24`,
            labels: { "managed-by": "mcp-iac" },
          },
          outputs: { address: `${name}.internal` },
          dependsOn: i > 0 ? [`resource-${i - 1}`] : [],
          status: "created",
          updatedAt: new Date().toISOString(),
        },
      });
    }
    await writer.close();
    const ms = performance.now() - started;
    const stats = backend.stats();
    return { ms, bytes: stats.journalBytes + stats.documentBytes + stats.historyBytes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
