import { AtomicJsonFile as AtomicFile } from "../../core/atomic-write.ts";
import { StateError } from "./errors.ts";

export { fsyncDir, isCode, tempPathFor } from "../../core/atomic-write.ts";

/**
 * The state document on disk as a lowdb adapter that never exposes a half-written file (see
 * core/atomic-write.ts); a file that is not JSON is STATE_CORRUPT, never read as empty.
 */
export class AtomicJsonFile<T> extends AtomicFile<T> {
  constructor(path: string, options: { onWrite?: (bytes: number) => void } = {}) {
    super(path, {
      corrupt: (file, cause) =>
        new StateError("STATE_CORRUPT", `state file ${file} is not valid JSON`, {
          hint: `restore it from the history folder beside it, or fix it by hand`,
          cause,
        }),
      ...(options.onWrite ? { onWrite: options.onWrite } : {}),
    });
  }
}
