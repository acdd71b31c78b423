import { afterEach, describe, expect, it } from "vitest";
import { type StreamableHttpHandle, serveStreamableHttp } from "../protocol/http.ts";
import { createResourceProvider } from "../protocol/index.ts";
import { ProviderClients, ProviderUnavailableError } from "./index.ts";
import { clientOptions } from "./test-helpers.ts";

const handles: StreamableHttpHandle[] = [];
const open: ProviderClients[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((clients) => clients.close()));
  await Promise.all(handles.splice(0).map((handle) => handle.close()));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A create that takes `steps` × `stepMs`, reporting progress after each step when `reports` is on. */
function slowProvider(steps: number, stepMs: number, reports: boolean) {
  return createResourceProvider({
    name: "slow",
    version: "1.0.0",
    types: [
      {
        type: "slow:db:instance",
        description: "a database that takes a while",
        properties: { type: "object" },
        outputs: { type: "object" },
        async create(_properties, context) {
          for (let step = 1; step <= steps; step++) {
            await sleep(stepMs);
            if (reports) context.progress?.(`still creating (${step}/${steps})`);
          }
          return { id: "db-1", outputs: {} };
        },
        async read() {
          return null;
        },
        async delete() {},
      },
    ],
    async list() {
      return [];
    },
  });
}

async function clientsFor(steps: number, stepMs: number, reports: boolean, maxTotalTimeoutMs?: number) {
  const handle = await serveStreamableHttp(() => slowProvider(steps, stepMs, reports).server(), { port: 0 });
  handles.push(handle);
  const clients = new ProviderClients(
    { slow: { url: handle.url, timeoutMs: stepMs * 4, ...(maxTotalTimeoutMs ? { maxTotalTimeoutMs } : {}) } },
    clientOptions(),
  );
  open.push(clients);
  return clients;
}

const create = {
  deploymentId: "d",
  changes: [{ name: "db", type: "slow:db:instance", action: "create" as const, after: {}, diff: [] }],
};

describe("a long call that reports progress is alive; a silent one times out", () => {
  it("keeps a call going past timeoutMs while the provider reports progress, and hands each message on", async () => {
    // 10 steps of 100 ms = 1 s, well past the 400 ms timeout, with progress after each step.
    const clients = await clientsFor(10, 100, true);
    const messages: string[] = [];
    const envelope = await clients.call("slow", "applyDeployment", create, {
      onProgress: (message) => messages.push(message),
    });
    expect(envelope.data?.results[0]).toMatchObject({ status: "succeeded", id: "db-1" });
    expect(messages).toEqual(Array.from({ length: 10 }, (_, index) => `still creating (${index + 1}/10)`));
  });

  it("times out the same call when the provider stays silent", async () => {
    const clients = await clientsFor(10, 100, false);
    const error = await clients.call("slow", "applyDeployment", create).catch((thrown: unknown) => thrown);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).reason).toBe("timeout");
  });

  it("ends a call that reports progress forever at maxTotalTimeoutMs", async () => {
    const clients = await clientsFor(40, 100, true, 600);
    const error = await clients.call("slow", "applyDeployment", create).catch((thrown: unknown) => thrown);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).reason).toBe("timeout");
  });
});
