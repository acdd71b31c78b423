import { deserializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/**
 * The largest JSON-RPC line accepted on stdio. The plan of a large deployment is one message, and
 * the SDK's default (10 MB) is reached at a few tens of thousands of resources on one server.
 */
export const MAX_STDIO_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * Newline-delimited JSON-RPC framing over stdio, as the MCP SDK's ReadBuffer does it, but linear:
 * the SDK concatenates its whole buffer with every chunk that arrives, so a message of n chunks
 * copies O(n²) bytes, and a multi-megabyte plan leaves hundreds of megabytes of garbage buffers.
 * Here chunks are kept as they came and joined once per line.
 */
export class LineBuffer {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  /** Chunks at the front already searched for a newline, without one. */
  #searched = 0;

  constructor(maxBytes = MAX_STDIO_MESSAGE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  append(chunk: Buffer): void {
    if (this.#bytes + chunk.length > this.#maxBytes) {
      this.clear();
      throw new Error(`a JSON-RPC message on stdio exceeded ${this.#maxBytes} bytes`);
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
  }

  readMessage(): JSONRPCMessage | null {
    for (let index = this.#searched; index < this.#chunks.length; index++) {
      const chunk = this.#chunks[index]!;
      const newline = chunk.indexOf(10);
      if (newline === -1) continue;
      const parts = this.#chunks.slice(0, index);
      parts.push(chunk.subarray(0, newline));
      const rest = chunk.subarray(newline + 1);
      this.#chunks =
        rest.length > 0 ? [rest, ...this.#chunks.slice(index + 1)] : this.#chunks.slice(index + 1);
      this.#bytes = this.#chunks.reduce((sum, part) => sum + part.length, 0);
      this.#searched = 0;
      const line = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString("utf8");
      return deserializeMessage(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    this.#searched = this.#chunks.length;
    return null;
  }

  clear(): void {
    this.#chunks = [];
    this.#bytes = 0;
    this.#searched = 0;
  }
}

/**
 * Puts a LineBuffer in place of an SDK stdio transport's read buffer (a private field, the same in
 * its client and server transports). False when the SDK no longer has that field; a test pins it.
 */
export function useLineBuffer(transport: object): boolean {
  const fields = transport as { _readBuffer?: unknown };
  if (!fields._readBuffer) return false;
  fields._readBuffer = new LineBuffer();
  return true;
}
