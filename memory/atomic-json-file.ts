import { AtomicJsonFile as AtomicFile } from "../core/atomic-write.ts";
import { MemoryError } from "./errors.ts";

export { isCode } from "../core/atomic-write.ts";

/**
 * The memory file as a lowdb adapter that never leaves a half-written file (see core/atomic-write.ts).
 * A file that is not JSON is an error naming it; it is never replaced by an empty memory. An empty
 * file holds nothing that could be lost, so it reads as an empty memory.
 */
export class AtomicJsonFile<T> extends AtomicFile<T> {
  constructor(path: string) {
    super(path, {
      corrupt: (file, cause) => corruptMemory(file, `is not valid JSON (${(cause as Error).message})`, cause),
      emptyIsMissing: true,
      createDir: true,
    });
  }
}

export function corruptMemory(path: string, what: string, cause?: unknown): MemoryError {
  return new MemoryError("MEMORY_CORRUPT", `memory file ${path} ${what}`, {
    hint: `move it away (mv ${path} ${path}.broken) to start with an empty memory, or fix it by hand; nothing was changed`,
    ...(cause === undefined ? {} : { cause }),
  });
}
