import { IacError } from "../../core/errors.ts";
import type { LockHolder } from "./types.ts";

/** Bad use of the state store (invalid name, unknown operation, closed writer, corrupt file). */
export class StateError extends IacError {
  static override readonly codes = /^STATE_/;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: number; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.name = "StateError";
  }
}

/** Another writer holds the deployment: says who, since when, and how to break a stale lock. */
export class LockHeldError extends IacError {
  readonly holder: LockHolder;
  readonly deployment: string;
  /** The holder runs on this host and its process is gone. */
  readonly stale: boolean;

  constructor(deployment: string, holder: LockHolder, stale: boolean) {
    // No separate hint: the message already says how to break a stale lock.
    super("STATE_LOCKED", LockHeldError.render(deployment, holder, stale), { exitCode: 1 });
    this.name = "LockHeldError";
    this.holder = holder;
    this.deployment = deployment;
    this.stale = stale;
  }

  static render(deployment: string, holder: LockHolder, stale: boolean): string {
    const who = `pid ${holder.pid} on host ${holder.host} since ${holder.since} (command: ${holder.command})`;
    const advice = stale
      ? `That process is no longer running, so the lock looks stale; if no other run is using the deployment, break it with --force-unlock.`
      : `Wait for it to finish (or give a wait time); if that process is gone, break the lock with --force-unlock.`;
    return `deployment "${deployment}" is locked by ${who}. ${advice}`;
  }

  static override readonly codes = "STATE_LOCKED";
}
