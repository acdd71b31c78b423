import { CloudControlClient } from "@aws-sdk/client-cloudcontrol";
import type { Change, PropertyMap, Resource, StateResource } from "../../tools/protocol/index.ts";
import { createAwsProvider } from "../../tools/providers/aws/server.ts";
import type { CloudControlEmulator } from "./emulator/server.ts";

/** Fast polls for tests; the default strategy is measured in bench/. */
export const TEST_POLL = { firstMs: 20, factor: 1.5, maxMs: 200 };

export function clientFor(emulator: CloudControlEmulator): CloudControlClient {
  return new CloudControlClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: { accessKeyId: "AKIAEMULATOR", secretAccessKey: "emulator-secret" },
    // One SDK attempt: the provider's own throttling retry is what the tests exercise.
    maxAttempts: 1,
  });
}

export function providerFor(emulator: CloudControlEmulator) {
  return createAwsProvider({ client: clientFor(emulator), poll: TEST_POLL, mountName: "aws" });
}

type Provider = ReturnType<typeof providerFor>;

/** Plans and applies one resource the way the engine does; returns its state entry and the change. */
export async function applyOne(
  provider: Provider,
  deploymentId: string,
  resource: Resource,
  current: StateResource[] = [],
  extra: { progress?: (message: string) => void; operationId?: string } = {},
): Promise<{ state: StateResource; change: Change; error?: { code: string; message: string } }> {
  const plan = await provider.tools.planDeployment({ deploymentId, resources: [resource], current });
  const change = plan.changes.find((entry) => entry.name === resource.name)!;
  const applied = await provider.tools.applyDeployment(
    {
      deploymentId,
      changes: [{ ...change, ...(extra.operationId ? { operationId: extra.operationId } : {}) }],
    },
    extra.progress ? { progress: extra.progress } : {},
  );
  const result = applied.results[0]!;
  const state: StateResource = {
    ...resource,
    id: result.id ?? "",
    outputs: result.outputs ?? {},
    status: "created",
  };
  return { state, change, ...(result.error ? { error: result.error } : {}) };
}

/** The emulator's stored model of a resource (write-only properties included). */
export function stored(
  emulator: CloudControlEmulator,
  typeName: string,
  id: string,
): PropertyMap | undefined {
  return emulator.state.resources.get(typeName)?.get(id) as PropertyMap | undefined;
}

export function ids(emulator: CloudControlEmulator, typeName: string): string[] {
  return [...(emulator.state.resources.get(typeName)?.keys() ?? [])];
}
