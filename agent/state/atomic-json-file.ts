import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync } from "node:fs";
import { open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Adapter } from "lowdb";
import { StateError } from "./errors.ts";

/**
 * A lowdb adapter that never exposes a half-written file: write a temp file beside the target, fsync
 * it, rename it over the target, fsync the folder. A reader sees the old document or the new one.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  readonly path: string;
  private readonly onWrite: ((bytes: number) => void) | undefined;

  constructor(path: string, options: { onWrite?: (bytes: number) => void } = {}) {
    this.path = path;
    this.onWrite = options.onWrite;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (isCode(error, "ENOENT")) return null;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new StateError("STATE_CORRUPT", `state file ${this.path} is not valid JSON`, {
        hint: `restore it from the history folder beside it, or fix it by hand`,
        cause: error,
      });
    }
  }

  async write(data: T): Promise<void> {
    const text = `${JSON.stringify(data, null, 2)}\n`;
    const temp = tempPathFor(this.path);
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
    await rename(temp, this.path);
    fsyncDir(dirname(this.path));
    this.onWrite?.(Buffer.byteLength(text));
  }
}

/** Temp files start with "." and end in ".tmp" so readers and listings skip them. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** Makes a rename or unlink in `dir` durable; platforms that cannot fsync a folder are skipped. */
export function fsyncDir(dir: string): void {
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
