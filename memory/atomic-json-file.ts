import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync } from "node:fs";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Adapter } from "lowdb";
import { MemoryError } from "./errors.ts";

/**
 * A lowdb adapter that never leaves a half-written memory file: write a temp file beside the target,
 * fsync it, rename it over the target, fsync the folder. A file that is not JSON is an error naming
 * it; it is never replaced by an empty memory.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (isCode(error, "ENOENT")) return null;
      throw error;
    }
    // An empty file holds nothing that could be lost, so it reads as an empty memory.
    if (text.trim() === "") return null;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw corruptMemory(this.path, `is not valid JSON (${(error as Error).message})`, error);
    }
  }

  async write(data: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const temp = join(
      dirname(this.path),
      `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
    );
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => {});
      throw error;
    }
    await handle.close();
    try {
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    fsyncDir(dirname(this.path));
  }
}

export function corruptMemory(path: string, what: string, cause?: unknown): MemoryError {
  return new MemoryError("MEMORY_CORRUPT", `memory file ${path} ${what}`, {
    hint: `move it away (mv ${path} ${path}.broken) to start with an empty memory, or fix it by hand; nothing was changed`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Makes a rename in `dir` durable; platforms that cannot fsync a folder are skipped. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch (error) {
    if (!isCode(error, "EISDIR", "EPERM", "EINVAL", "EACCES")) throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}
