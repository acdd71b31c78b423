import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake model server answers: JSON (or raw text), or nothing at all (`hang`). */
export type WireReply =
  | { status?: number; headers?: Record<string, string>; body: unknown }
  | { status?: number; headers?: Record<string, string>; raw: string }
  | { hang: true };

export interface WireRequest<Body> {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Body;
}

export type WireHandler<Body> = (
  body: Body,
  index: number,
  request: WireRequest<Body>,
) => WireReply | Promise<WireReply>;

export interface WireServer<Body> {
  /** The base URL to give the SDK. */
  url: string;
  /** Request bodies, in arrival order (retries included). */
  requests: Body[];
  /** The same requests with method, path and headers. */
  received: WireRequest<Body>[];
  close(): Promise<void>;
}

export interface WireFormat {
  /** Path prefix the SDK puts in front of the endpoint, part of `url` (OpenAI's "/v1"). */
  basePath: string;
  /** The one endpoint this server speaks, e.g. "/v1/messages". */
  endpoint: string;
  /** The provider's error body for a status and message. */
  errorBody(status: number, type: string, message: string): unknown;
}

/** A loopback HTTP server that speaks one model API's wire format through `handler`. */
export async function startWireServer<Body>(
  format: WireFormat,
  handler: WireHandler<Body>,
): Promise<WireServer<Body>> {
  const requests: Body[] = [];
  const received: WireRequest<Body>[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      if (req.method !== "POST" || path !== format.endpoint) {
        send(res, {
          status: 404,
          body: format.errorBody(404, "not_found_error", `no route ${req.method} ${path}`),
        });
        return;
      }
      let body: Body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Body;
      } catch {
        send(res, { status: 400, body: format.errorBody(400, "invalid_request_error", "body is not JSON") });
        return;
      }
      const request: WireRequest<Body> = { method: req.method, path, headers: req.headers, body };
      const index = requests.length;
      requests.push(body);
      received.push(request);
      Promise.resolve()
        .then(() => handler(body, index, request))
        .then(
          (reply) => send(res, reply),
          (error: unknown) =>
            send(res, {
              status: 500,
              body: format.errorBody(500, "api_error", `test handler threw: ${String(error)}`),
            }),
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${format.basePath}`,
    requests,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // hung requests included
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, reply: WireReply): void {
  if ("hang" in reply) return; // keep the connection open and never answer
  if (res.destroyed) return; // the client gave up (timeout, abort)
  const status = reply.status ?? 200;
  if ("raw" in reply) {
    res.writeHead(status, { "content-type": "text/plain", ...reply.headers });
    res.end(reply.raw);
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...reply.headers });
  res.end(JSON.stringify(reply.body));
}
