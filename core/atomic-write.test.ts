import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AtomicJsonFile, isCode, tempPathFor, writeFileAtomic, writeJsonAtomic } from "./atomic-write.ts";

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "core-atomic-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("writeFileAtomic", () => {
  it("replaces the file whole and leaves no temp file behind", async () => {
    const dir = scratch();
    const file = join(dir, "doc.json");
    writeFileSync(file, "old");
    const bytes = await writeJsonAtomic(file, { a: "é" });
    expect(readFileSync(file, "utf8")).toBe('{\n  "a": "é"\n}\n');
    expect(bytes).toBe(Buffer.byteLength('{\n  "a": "é"\n}\n'));
    expect(readdirSync(dir)).toEqual(["doc.json"]);
  });

  it("creates the folder when asked, and sets an exact mode past the umask", async () => {
    const file = join(scratch(), "a", "b", "f.txt");
    await writeFileAtomic(file, "x", { createDir: true, mode: 0o640, exactMode: true });
    expect(statSync(file).mode & 0o777).toBe(0o640);
    await expect(writeFileAtomic(join(scratch(), "missing", "f"), "x")).rejects.toSatisfy((error) =>
      isCode(error, "ENOENT"),
    );
  });

  it("removes its temp file when the rename fails, and the old content stays", async () => {
    const dir = scratch();
    const target = join(dir, "is-a-folder");
    await writeFileAtomic(join(target, "inner"), "x", { createDir: true });
    await expect(writeFileAtomic(target, "new")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["is-a-folder"]);
  });

  it("names temp files so listings skip them", () => {
    expect(tempPathFor("/d/state.json")).toMatch(/^\/d\/\.state\.json\.\d+\.[0-9a-f]{8}\.tmp$/);
  });
});

describe("AtomicJsonFile", () => {
  it("reads null for a missing file, the caller's error for a broken one, and what it wrote", async () => {
    const file = join(scratch(), "sub", "m.json");
    const written: number[] = [];
    const adapter = new AtomicJsonFile<{ n: number }>(file, {
      corrupt: (path) => new Error(`broken ${path}`),
      createDir: true,
      emptyIsMissing: true,
      onWrite: (bytes) => written.push(bytes),
    });
    expect(await adapter.read()).toBeNull();
    await adapter.write({ n: 1 });
    expect(await adapter.read()).toEqual({ n: 1 });
    expect(written).toEqual([Buffer.byteLength('{\n  "n": 1\n}\n')]);
    writeFileSync(file, "  \n");
    expect(await adapter.read()).toBeNull();
    writeFileSync(file, "{nope");
    await expect(adapter.read()).rejects.toThrow(`broken ${file}`);
  });
});
