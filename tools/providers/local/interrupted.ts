import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ProviderError } from "../../protocol/index.ts";
import { processAlive } from "./process-identity.ts";

interface Mark {
  deploymentId: string;
  name: string;
  hook: string;
  startedAt: string;
  pid: number;
}

/**
 * Records that a command hook is running, before it starts. A mark still there when the same
 * resource's hook runs again means the last run was cut off (the provider was killed, the user
 * pressed Ctrl-C): it may have done part of its work, so it is not run again blindly.
 */
export async function markRunning(
  dir: string,
  context: { deploymentId: string; name: string },
  hook: string,
): Promise<{ clear(): Promise<void> }> {
  const key = createHash("sha256").update(`${context.deploymentId}\0${context.name}\0${hook}`).digest("hex");
  const folder = join(dir, "running");
  const file = join(folder, `${key.slice(0, 32)}.json`);
  let previous: Mark | undefined;
  try {
    previous = JSON.parse(await readFile(file, "utf8")) as Mark;
  } catch {
    previous = undefined;
  }
  if (previous && (previous.pid === process.pid || !processAlive(previous.pid))) {
    throw new ProviderError(
      "CONFLICT",
      `the ${hook} command of ${context.name} (deployment ${context.deploymentId}) was interrupted at ${previous.startedAt} and may have partly run; it is not run again blindly. Check what it did, then delete ${file} to let the next apply run it again`,
      { retryable: false, details: { interrupted: previous, marker: file } },
    );
  }
  if (previous) {
    throw new ProviderError(
      "CONFLICT",
      `the ${hook} command of ${context.name} (deployment ${context.deploymentId}) is already running in provider process ${previous.pid}`,
      { retryable: true, details: { running: previous } },
    );
  }
  await mkdir(folder, { recursive: true });
  const mark: Mark = {
    deploymentId: context.deploymentId,
    name: context.name,
    hook,
    startedAt: new Date().toISOString(),
    pid: process.pid,
  };
  await writeFile(file, `${JSON.stringify(mark)}\n`);
  return { clear: () => rm(file, { force: true }) };
}
