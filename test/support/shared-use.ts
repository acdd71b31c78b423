import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A server that parallel test processes share (a worker process may also run several files): each
 * use registers a token `<pid>-<random>` under `<root>/users`, and the last live one out stops it.
 * Starts (and whatever else the caller wraps) are serialized by a lock folder, as mkdir is atomic.
 */
export interface SharedUse {
  /** Adds this use, after clearing tokens whose process died; resolves to the token. */
  register(): Promise<string>;
  /** Removes this use; resolves to true when no live use is left (the caller then stops the server). */
  leave(token: string): Promise<boolean>;
  /** Runs `work` while no other process holds `<root>/start.lock` (a dead holder's lock is taken over). */
  withStartLock<T>(work: () => Promise<T>): Promise<T>;
}

/** `mode` is the one `root` is created with (default: the umask's). */
export function sharedUse(root: string, options: { mode?: number } = {}): SharedUse {
  const usersDir = join(root, "users");
  const tokenPid = (name: string) => Number(name.split("-")[0]);
  return {
    async register() {
      await mkdir(usersDir, { recursive: true });
      for (const name of await readdir(usersDir)) {
        if (!pidAlive(tokenPid(name))) await rm(join(usersDir, name), { force: true });
      }
      const token = `${process.pid}-${randomUUID()}`;
      await writeFile(join(usersDir, token), "");
      return token;
    },

    async leave(token) {
      await rm(join(usersDir, token), { force: true });
      const others = (await readdir(usersDir).catch(() => [] as string[])).filter((name) =>
        pidAlive(tokenPid(name)),
      );
      return others.length === 0;
    },

    async withStartLock(work) {
      const lock = join(root, "start.lock");
      await mkdir(
        root,
        options.mode === undefined ? { recursive: true } : { recursive: true, mode: options.mode },
      );
      for (let i = 0; ; i++) {
        try {
          await mkdir(lock);
          await writeFile(join(lock, "pid"), String(process.pid));
          break;
        } catch {
          const holder = Number(await readFile(join(lock, "pid"), "utf8").catch(() => "0"));
          if ((holder && !pidAlive(holder)) || i > 800) await rm(lock, { recursive: true, force: true });
          else await new Promise((resolve) => setTimeout(resolve, 150));
        }
      }
      try {
        return await work();
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
    },
  };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
