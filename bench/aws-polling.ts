import { CloudControlClient } from "@aws-sdk/client-cloudcontrol";
import { startCloudControlEmulator } from "../test/aws/emulator/server.ts";
import type { Change } from "../tools/protocol/index.ts";
import { DEFAULT_POLL, type PollSettings } from "../tools/providers/aws/cloud-control.ts";
import { createAwsProvider } from "../tools/providers/aws/server.ts";

export interface PollingFigures {
  strategy: string;
  resources: number;
  parallelism: number;
  operationMs: number;
  lowerBoundMs: number;
  wallMs: number;
  ratio: number;
  pollsPerResource: number;
  failed: number;
}

/**
 * Creates `count` queues through the AWS provider against the Cloud Control emulator, where every
 * create takes `operationMs` of service time (optionally with RetryAfter hints at a third of it, so an
 * ideal client polls 3 times). Lower bound: the critical path (waves of `parallelism`) × the operation.
 */
export async function benchAwsPolling(options: {
  strategy: string;
  poll: PollSettings;
  retryAfter: boolean;
  count?: number;
  operationMs?: number;
  parallelism?: number;
}): Promise<PollingFigures> {
  const count = options.count ?? 200;
  const operationMs = options.operationMs ?? 600;
  const parallelism = options.parallelism ?? 50;
  const emulator = await startCloudControlEmulator({
    polls: Number.MAX_SAFE_INTEGER,
    settleMs: operationMs,
    ...(options.retryAfter ? { retryAfterMs: operationMs / 3 } : {}),
  });
  try {
    const client = new CloudControlClient({
      region: "us-east-1",
      endpoint: emulator.url,
      credentials: { accessKeyId: "AKIABENCH", secretAccessKey: "bench" },
    });
    const provider = createAwsProvider({ client, poll: options.poll, mountName: "aws" });
    const changes: Change[] = Array.from({ length: count }, (_, index) => ({
      name: `queue-${index}`,
      type: "aws:sqs:queue",
      action: "create",
      after: { QueueName: `bench-${index}` },
      diff: [],
      operationId: `bench-op-${index}`,
    }));
    await provider.tools.describeResourceTypes({ types: ["aws:sqs:queue"] });
    const started = performance.now();
    const applied = await provider.tools.applyDeployment({
      deploymentId: "bench",
      changes,
      options: { parallelism },
    });
    const wallMs = performance.now() - started;
    const lowerBoundMs = Math.ceil(count / parallelism) * operationMs;
    return {
      strategy: options.strategy,
      resources: count,
      parallelism,
      operationMs,
      lowerBoundMs,
      wallMs: Math.round(wallMs),
      ratio: wallMs / lowerBoundMs,
      pollsPerResource: (emulator.state.calls["GetResourceRequestStatus"] ?? 0) / count,
      failed: applied.results.filter((result) => result.status !== "succeeded").length,
    };
  } finally {
    await emulator.stop();
  }
}

export async function runAwsPollingBench(): Promise<PollingFigures[]> {
  const rows: PollingFigures[] = [];
  rows.push(
    await benchAwsPolling({ strategy: "provider, RetryAfter hints", poll: DEFAULT_POLL, retryAfter: true }),
  );
  rows.push(
    await benchAwsPolling({ strategy: "provider, backoff only", poll: DEFAULT_POLL, retryAfter: false }),
  );
  // What users of the peers report (reference §7): a fixed 5 s poll.
  rows.push(
    await benchAwsPolling({
      strategy: "fixed 5 s poll (peers)",
      poll: { firstMs: 5_000, factor: 1, maxMs: 5_000 },
      retryAfter: false,
    }),
  );
  return rows;
}

export function formatAwsPolling(rows: PollingFigures[]): string {
  const lines = [
    "strategy                      resources  lower bound  wall      ratio  polls/resource  failed",
  ];
  for (const row of rows) {
    lines.push(
      `${row.strategy.padEnd(30)}${String(row.resources).padEnd(11)}${`${row.lowerBoundMs} ms`.padEnd(13)}${`${row.wallMs} ms`.padEnd(10)}${row.ratio.toFixed(2).padEnd(7)}${row.pollsPerResource.toFixed(1).padEnd(16)}${row.failed}`,
    );
  }
  return lines.join("\n");
}
