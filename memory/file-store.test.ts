import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryError } from "./errors.ts";
import { createMemoryStore } from "./file-store.ts";
import { emptyMemory, patternRecord, writeMemoryFile } from "./memory-file.ts";
import { describeMemoryStore } from "./store-suite.ts";
import { syntheticGoals, syntheticPatterns } from "./synthetic-patterns.ts";
import { DNS_AND_DHCP, KUBERNETES_NGINX, WEB_BEHIND_HAPROXY } from "./test-fixtures.ts";

const root = mkdtempSync(join(tmpdir(), "mcp-iac-memory-"));
let counter = 0;
const freshFile = () => join(root, `case-${++counter}`, ".mcp-iac", "memory.json");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeMemoryStore("lowdb file", async () => createMemoryStore({ file: freshFile() }));

describe("file memory store", () => {
  it("keeps patterns, lessons and uses across reopening", async () => {
    const file = freshFile();
    const first = createMemoryStore({ file });
    const saved = await first.savePattern(WEB_BEHIND_HAPROXY);
    await first.savePattern(WEB_BEHIND_HAPROXY);
    await first.saveLesson({
      errorCode: "CONFLICT",
      type: "aws:rds:instance",
      context: "busy",
      fix: "retry",
    });
    await first.close();

    const second = createMemoryStore({ file });
    expect(second.describe()).toBe(`lowdb file ${file}`);
    const [hit] = await second.searchPatterns("web app behind haproxy with postgres");
    expect(hit!.item.id).toBe(saved.id);
    expect(hit!.item.uses).toBe(2);
    expect((await second.findLessons({ errorCode: "CONFLICT", type: "aws:rds:instance" }))[0]!.item.fix).toBe(
      "retry",
    );
    expect(second.describe()).toBe(`lowdb file ${file}: 1 pattern, 1 lesson`);
    await second.close();
    await expect(second.listPatterns()).rejects.toThrow(/closed/);
  });

  it("writes atomically: a private file, no temp files left beside it", async () => {
    const file = freshFile();
    const store = createMemoryStore({ file });
    await store.savePattern(DNS_AND_DHCP);
    await store.savePattern(KUBERNETES_NGINX);
    await store.close();
    const folder = join(file, "..");
    expect(readdirSync(folder)).toEqual(["memory.json"]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const document = JSON.parse(readFileSync(file, "utf8"));
    expect(document.version).toBe(1);
    expect(document.patterns).toHaveLength(2);
  });

  it("reads nothing into a missing or empty file and creates no file until something is saved", async () => {
    const file = freshFile();
    const store = createMemoryStore({ file });
    expect(await store.searchPatterns("anything")).toEqual([]);
    expect(await store.forgetAll()).toBe(0);
    expect(() => statSync(file)).toThrow();
    await store.close();

    const empty = freshFile();
    await writeMemoryFile(empty, emptyMemory());
    writeFileSync(empty, "\n");
    const again = createMemoryStore({ file: empty });
    expect(await again.listPatterns()).toEqual([]);
    await again.close();
  });

  it("refuses a corrupt file with an error naming it and saying to move it away, and leaves it alone", async () => {
    const file = freshFile();
    const store = createMemoryStore({ file });
    await store.savePattern(WEB_BEHIND_HAPROXY);
    await store.close();
    const broken = readFileSync(file, "utf8").slice(0, 200);
    writeFileSync(file, broken);

    const reopened = createMemoryStore({ file });
    const error = await reopened.searchPatterns("web app").catch((caught: unknown) => caught);
    expect(MemoryError.isInstance(error)).toBe(true);
    const memoryError = error as MemoryError;
    expect(memoryError.code).toBe("MEMORY_CORRUPT");
    expect(memoryError.message).toContain(file);
    expect(memoryError.message).toMatch(/not valid JSON/);
    expect(memoryError.hint).toContain(`mv ${file} ${file}.broken`);
    // Saving must not "repair" the file by replacing it with an empty memory.
    await expect(reopened.savePattern(DNS_AND_DHCP)).rejects.toThrow(/not valid JSON/);
    await expect(reopened.forgetAll()).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(file, "utf8")).toBe(broken);
    await reopened.close();
  });

  it("refuses a file of the wrong shape or a newer format, naming what is wrong", async () => {
    const cases: Array<[unknown, RegExp]> = [
      [[1, 2], /does not hold a JSON object/],
      [{ version: 1, patterns: {}, lessons: [] }, /has no "patterns" list/],
      [
        { version: 1, patterns: [{ id: "pat-1", goal: 3 }], lessons: [] },
        /patterns\[0\]: "goal" is not a string/,
      ],
      [{ version: 2, patterns: [], lessons: [] }, /newer mcp-iac/],
    ];
    for (const [content, message] of cases) {
      const file = freshFile();
      const store = createMemoryStore({ file });
      await store.close();
      const opened = createMemoryStore({ file });
      await writeMemoryFile(join(file, "..", "seed.json"), emptyMemory());
      writeFileSync(file, JSON.stringify(content));
      await expect(opened.listPatterns()).rejects.toThrow(message);
      await opened.close();
    }
  });

  it("sees what another store (another terminal) changed in the same file", async () => {
    const file = freshFile();
    const agent = createMemoryStore({ file });
    const cli = createMemoryStore({ file });
    const saved = await agent.savePattern(WEB_BEHIND_HAPROXY);
    expect((await cli.searchPatterns("web app haproxy"))[0]!.item.id).toBe(saved.id);
    expect(await cli.forget(saved.id)).toBe(1);
    expect(await agent.searchPatterns("web app haproxy")).toEqual([]);
    await agent.savePattern(DNS_AND_DHCP);
    expect((await cli.listPatterns()).map((pattern) => pattern.deployment)).toEqual(["office-net"]);
    await agent.close();
    await cli.close();
  });

  // Root writes through a read-only folder, so this needs an ordinary user.
  it.skipIf(process.getuid?.() === 0)(
    "reports a failed write and keeps memory equal to the file",
    async () => {
      const file = freshFile();
      const store = createMemoryStore({ file });
      await store.savePattern(DNS_AND_DHCP);
      const folder = join(file, "..");
      chmodSync(folder, 0o500);
      try {
        await expect(store.savePattern(KUBERNETES_NGINX)).rejects.toThrow(/EACCES|permission/i);
      } finally {
        chmodSync(folder, 0o700);
      }
      expect((await store.listPatterns()).map((pattern) => pattern.deployment)).toEqual(["office-net"]);
      await store.close();
    },
  );

  it("searches 10,000 remembered patterns (time printed, not asserted)", async () => {
    const file = freshFile();
    const now = new Date().toISOString();
    const document = emptyMemory();
    document.patterns = syntheticPatterns(10_000).map((input) => patternRecord(input, now));
    await writeMemoryFile(file, document);
    const store = createMemoryStore({ file });
    const loadStart = performance.now();
    await store.listLessons();
    const loadMs = performance.now() - loadStart;
    const goals = syntheticGoals(50);
    const timings: number[] = [];
    for (const goal of goals) {
      const start = performance.now();
      const hits = await store.searchPatterns(goal, { limit: 5 });
      timings.push(performance.now() - start);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits[0]!.score).toBeGreaterThan(0.3);
    }
    timings.sort((a, b) => a - b);
    console.log(
      `memory: 10,000 patterns loaded in ${loadMs.toFixed(0)} ms; search median ${timings[25]!.toFixed(2)} ms, max ${timings.at(-1)!.toFixed(2)} ms`,
    );
    await store.close();
  });
});
