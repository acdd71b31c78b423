import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { describe, expect, it } from "vitest";
import { LineBuffer, useLineBuffer } from "./line-buffer.ts";

const line = (id: number, text = "") =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method: "ping", params: { text } })}\n`;

describe("LineBuffer", () => {
  it("frames messages split across chunks, several in one chunk, and CRLF endings", () => {
    const buffer = new LineBuffer();
    const stream = Buffer.from(line(1, "héllo") + line(2) + line(3).replace("\n", "\r\n"));
    // Byte-sized chunks split the UTF-8 of "é" too: a line is decoded only once whole.
    for (const byte of stream.subarray(0, 10)) buffer.append(Buffer.from([byte]));
    expect(buffer.readMessage()).toBeNull();
    buffer.append(stream.subarray(10));
    const ids = [];
    for (let message = buffer.readMessage(); message; message = buffer.readMessage())
      ids.push((message as { id: number; params?: { text?: string } }).id);
    expect(ids).toEqual([1, 2, 3]);
    expect(buffer.readMessage()).toBeNull();
  });

  it("joins a large message once, however many chunks it came in", () => {
    const buffer = new LineBuffer();
    const big = Buffer.from(line(7, "x".repeat(3_000_000)));
    for (let at = 0; at < big.length; at += 65_536) buffer.append(big.subarray(at, at + 65_536));
    const message = buffer.readMessage() as unknown as { id: number; params: { text: string } };
    expect(message.id).toBe(7);
    expect(message.params.text).toHaveLength(3_000_000);
  });

  it("refuses a message over its limit, names the limit, and starts clean", () => {
    const buffer = new LineBuffer(100);
    expect(() => buffer.append(Buffer.alloc(101, 120))).toThrow(/exceeded 100 bytes/);
    buffer.append(Buffer.from(line(1)));
    expect((buffer.readMessage() as { id: number }).id).toBe(1);
  });

  it("takes the place of the SDK's read buffer in both stdio transports", () => {
    // If an SDK upgrade renames the field, this fails and the quadratic buffer is back.
    expect(useLineBuffer(new StdioServerTransport())).toBe(true);
    expect(useLineBuffer(new StdioClientTransport({ command: "true" }))).toBe(true);
  });
});
