import { afterEach, expect } from "vitest";
import { type ChatMessage, ModelError, type ModelRequest } from "../types.ts";
import type { WireHandler, WireServer } from "../wire/wire-server.ts";

/**
 * Registers an afterEach that closes the wire server the test started, whatever happened;
 * returns the function that starts it. Closing twice is harmless.
 */
export function wireServerPerTest<Body, Server extends WireServer<Body>>(
  start: (handler: WireHandler<Body>) => Promise<Server>,
): (handler: WireHandler<Body>) => Promise<Server> {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return async (handler) => {
    server = await start(handler);
    return server;
  };
}

/** A request with a system prompt and a context, as the agent sends them. */
export function chatRequest(messages: ChatMessage[], extra: Partial<ModelRequest> = {}): ModelRequest {
  return {
    system: "You plan infrastructure.",
    context: "Provider schemas: ...",
    messages,
    tools: [],
    ...extra,
  };
}

/** The `ModelError` a call rejects with; fails the test when it resolves or rejects otherwise. */
export async function modelFailureOf(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ModelError);
  return error as ModelError;
}
