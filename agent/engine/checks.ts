import { connect } from "node:net";
import type { Check } from "../../tools/protocol/index.ts";

const DEFAULTS = { timeoutMs: 3_000, retries: 10, intervalMs: 500 };

export function describeCheck(check: Check): string {
  return "http" in check ? `http ${check.http} expects ${check.expect}` : `tcp ${check.tcp}`;
}

async function attemptHttp(url: string, expect: number, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await response.body?.cancel();
    return response.status === expect ? undefined : `answered ${response.status}, expected ${expect}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error instanceof Error ? error.message : String(error));
  }
}

function attemptTcp(target: string, timeoutMs: number): Promise<string | undefined> {
  const split = target.lastIndexOf(":");
  const host = target.slice(0, split).replace(/^\[|\]$/g, "");
  const port = Number(target.slice(split + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`no connection within ${timeoutMs} ms`);
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.end();
      resolve(undefined);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(error.code ?? error.message);
    });
  });
}

/**
 * Runs one post-apply check, trying again while the service comes up. Resolves with a reason when
 * it never passed, undefined when it did.
 */
export async function runCheck(check: Check, signal?: AbortSignal): Promise<string | undefined> {
  const timeoutMs = check.timeoutMs ?? DEFAULTS.timeoutMs;
  const retries = check.retries ?? DEFAULTS.retries;
  const intervalMs = check.intervalMs ?? DEFAULTS.intervalMs;
  let reason: string | undefined;
  for (let attempt = 0; attempt <= retries; attempt++) {
    reason =
      "http" in check
        ? await attemptHttp(check.http, check.expect, timeoutMs)
        : await attemptTcp(check.tcp, timeoutMs);
    if (reason === undefined || signal?.aborted) return reason;
    if (attempt < retries) await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return `${reason} (after ${retries + 1} tries)`;
}
