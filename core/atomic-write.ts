import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync } from "node:fs";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { jsonPieces } from "./json-pieces.ts";

export interface AtomicWriteOptions {
  /** The file's mode; 0o600 unless given (what we write is often state or secrets). */
  mode?: number;
  /** Set the mode exactly, ignoring the umask (a file whose mode the user asked for). */
  exactMode?: boolean;
  /** Create the folder first, with this mode (default: the umask's). */
  createDir?: boolean | { mode: number };
}

/**
 * Writes a file so that no reader ever sees half of it: a temp file beside the target, fsync,
 * rename over the target, fsync the folder. A reader sees the old content or the new. Returns the
 * bytes written. Content given in pieces is written piece by piece, never joined.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array | Iterable<string>,
  options: AtomicWriteOptions = {},
): Promise<number> {
  const dir = dirname(path);
  if (options.createDir) {
    const dirMode = typeof options.createDir === "object" ? { mode: options.createDir.mode } : {};
    await mkdir(dir, { recursive: true, ...dirMode });
  }
  const mode = options.mode ?? 0o600;
  const temp = tempPathFor(path);
  const handle = await open(temp, "wx", mode);
  let bytes = 0;
  try {
    if (typeof content === "string" || content instanceof Uint8Array) {
      await handle.writeFile(content);
      bytes = typeof content === "string" ? Buffer.byteLength(content) : content.byteLength;
    } else {
      for (const piece of content) {
        const buffer = Buffer.from(piece);
        for (let at = 0; at < buffer.length; ) at += (await handle.write(buffer, at)).bytesWritten;
        bytes += buffer.length;
      }
    }
    if (options.exactMode) await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(temp).catch(() => {});
    throw error;
  }
  fsyncDir(dir);
  return bytes;
}

/**
 * `value` as indented JSON with a final newline, written atomically, in pieces: a large state
 * document is never one string and one buffer in memory.
 */
export function writeJsonAtomic(
  path: string,
  value: unknown,
  options: AtomicWriteOptions & { indent?: number } = {},
): Promise<number> {
  return writeFileAtomic(path, withNewline(jsonPieces(value, options.indent ?? 2)), options);
}

function* withNewline(pieces: Iterable<string>): Generator<string> {
  yield* pieces;
  yield "\n";
}

export interface AtomicJsonFileOptions {
  /** The error for a file that is not JSON; it is never replaced by an empty document. */
  corrupt: (path: string, cause: unknown) => Error;
  /** An empty file reads as no document (nothing in it could be lost). */
  emptyIsMissing?: boolean;
  createDir?: boolean;
  onWrite?: (bytes: number) => void;
}

/** A JSON document on disk that is never half-written; shaped as a lowdb adapter. */
export class AtomicJsonFile<T> {
  readonly path: string;
  readonly #options: AtomicJsonFileOptions;

  constructor(path: string, options: AtomicJsonFileOptions) {
    this.path = path;
    this.#options = options;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (isCode(error, "ENOENT")) return null;
      throw error;
    }
    if (this.#options.emptyIsMissing && text.trim() === "") return null;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw this.#options.corrupt(this.path, error);
    }
  }

  async write(data: T): Promise<void> {
    const bytes = await writeJsonAtomic(this.path, data, { createDir: this.#options.createDir ?? false });
    this.#options.onWrite?.(bytes);
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

/** The error is a Node system error with one of these codes (ENOENT, EEXIST, …). */
export function isCode(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}
