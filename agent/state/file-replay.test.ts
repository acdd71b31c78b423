import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sampleRecord } from "./backend-suite.ts";
import { createFileBackend } from "./file-backend.ts";

// The reader's first look at the document misses it, as when it looks just before the first writer
// of a new deployment creates it; by its next look (the journal) the writer has written both.
const lookBeforeCreation = vi.hoisted(() => ({ armed: false }));
vi.mock("./file-layout.ts", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./file-layout.ts")>();
  return {
    ...actual,
    readDocument: (...args: Parameters<typeof actual.readDocument>) => {
      if (lookBeforeCreation.armed) {
        lookBeforeCreation.armed = false;
        return Promise.resolve(undefined);
      }
      return actual.readDocument(...args);
    },
  };
});

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("reading state while a deployment is being created", () => {
  it("reads again when the document appeared between its look at it and its look at the journal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-replay-"));
    temps.push(dir);
    const backend = createFileBackend(dir);
    const writer = await backend.open("web", { command: "apply" });
    await writer.putResource(sampleRecord("a")); // the document (seq 0), then a journal line

    lookBeforeCreation.armed = true;
    const state = await backend.read("web");
    expect(lookBeforeCreation.armed).toBe(false);
    expect(Object.keys(state?.resources ?? {})).toEqual(["a"]);
    await writer.close();
  });
});
