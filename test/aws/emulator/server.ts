import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CloudControlState, type EmulatorOptions } from "./cloud-control.ts";
import { ApiException } from "./errors.ts";

const CONTENT_TYPE = "application/x-amz-json-1.0";
const TARGET_PREFIX = "CloudApiService.";

export interface CloudControlEmulator {
  /** `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL_CLOUDCONTROL or `--endpoint-url`. */
  url: string;
  state: CloudControlState;
  /** Environment for a client of this emulator: dummy credentials, region, endpoint. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { "Content-Type": CONTENT_TYPE, "x-amzn-RequestId": randomUUID() });
  response.end(JSON.stringify(payload));
}

async function handle(
  state: CloudControlState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const target = String(request.headers["x-amz-target"] ?? "");
  if (request.method !== "POST" || !target.startsWith(TARGET_PREFIX)) {
    send(response, 404, {
      __type: "UnknownOperationException",
      Message: `expected POST / with X-Amz-Target ${TARGET_PREFIX}*`,
    });
    return;
  }
  // SigV4 is not verified (reference §4), but a request without it is not one the SDK or CLI would send.
  if (!String(request.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256")) {
    send(response, 403, {
      __type: "MissingAuthenticationTokenException",
      Message: "Missing Authentication Token",
    });
    return;
  }
  const text = await body(request);
  let input: Record<string, unknown>;
  try {
    input = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    send(response, 400, { __type: "SerializationException", Message: "the body is not JSON" });
    return;
  }
  try {
    send(response, 200, state.call(target.slice(TARGET_PREFIX.length), input));
  } catch (error) {
    if (error instanceof ApiException) {
      send(response, error.status, {
        __type: `com.amazonaws.cloudcontrol#${error.type}`,
        Message: error.message,
      });
      return;
    }
    send(response, 500, { __type: "InternalFailure", Message: String(error) });
  }
}

/** Starts the Cloud Control emulator on a free loopback port. */
export async function startCloudControlEmulator(
  options: EmulatorOptions = {},
): Promise<CloudControlEmulator> {
  const state = new CloudControlState(options);
  const server: Server = createServer((request, response) => {
    handle(state, request, response).catch((error: unknown) =>
      send(response, 500, { __type: "InternalFailure", Message: String(error) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    env: {
      AWS_ENDPOINT_URL_CLOUDCONTROL: url,
      AWS_ACCESS_KEY_ID: "AKIAEMULATOR",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
      AWS_REGION: "us-east-1",
    },
    async stop() {
      state.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
