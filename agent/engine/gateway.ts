import type {
  Envelope,
  ProviderErrorBody,
  ToolArguments,
  ToolData,
  ToolName,
} from "../../tools/protocol/index.ts";

/**
 * What the engine needs from the provider clients. `tools/client`'s ProviderClients implements it
 * over real transports; tests may implement it over the SDK's in-memory pair.
 */
export interface ProviderGateway {
  serverFor(type: string): Promise<string> | string;
  call<T extends ToolName>(
    server: string,
    tool: T,
    input: ToolArguments<T>,
    options?: { timeoutMs?: number; onProgress?: (message: string) => void },
  ): Promise<Envelope<ToolData<T>>>;
  describe(server: string): Promise<ToolData<"describeResourceTypes">>;
}

/** A transport-level failure (crash, timeout, unstartable server) as an error body the engine can reason about. */
export function transportErrorBody(error: unknown): ProviderErrorBody {
  const candidate = error as { name?: string; reason?: string; message?: string; server?: string };
  if (
    candidate &&
    typeof candidate === "object" &&
    typeof candidate.server === "string" &&
    candidate.reason
  ) {
    return {
      code: candidate.reason === "timeout" ? "TIMEOUT" : "UNAVAILABLE",
      message: candidate.message ?? `provider server ${candidate.server} failed`,
      // A hung call may well pass next time; a crash is likelier to be a bug that would repeat.
      retryable: candidate.reason === "timeout",
      details: { server: candidate.server, reason: candidate.reason },
    };
  }
  return {
    code: "INTERNAL",
    message: error instanceof Error ? error.message : String(error),
    retryable: false,
  };
}

/** Calls a tool and unwraps its data, turning a provider's failure into a thrown ProviderCallError. */
export async function callData<T extends ToolName>(
  gateway: ProviderGateway,
  server: string,
  tool: T,
  input: ToolArguments<T>,
): Promise<ToolData<T>> {
  let envelope: Envelope<ToolData<T>>;
  try {
    envelope = await gateway.call(server, tool, input);
  } catch (error) {
    throw new ProviderCallError(server, tool, transportErrorBody(error));
  }
  if (!envelope.success || envelope.data === undefined) {
    throw new ProviderCallError(
      server,
      tool,
      envelope.error ?? { code: "INTERNAL", message: "the provider answered without data", retryable: false },
    );
  }
  return envelope.data;
}

export class ProviderCallError extends Error {
  readonly server: string;
  readonly tool: string;
  readonly body: ProviderErrorBody;

  constructor(server: string, tool: string, body: ProviderErrorBody) {
    super(`${server} ${tool} failed: ${body.code}: ${body.message}`);
    this.name = "ProviderCallError";
    this.server = server;
    this.tool = tool;
    this.body = body;
  }
}
