import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import type { PolicyChange, PolicyDeployment, PolicyResource } from "./types.ts";

/** A fresh temporary folder per test, removed afterwards; `write` puts a file in it. */
export function tempFolder(): { dir: () => string; write: (name: string, text: string) => string } {
  let current: string | undefined;
  afterEach(() => {
    if (current) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });
  const dir = () => {
    current ??= mkdtempSync(join(tmpdir(), "mcp-iac-policies-"));
    return current;
  };
  return {
    dir,
    write(name, text) {
      const file = join(dir(), name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
  };
}

export function resource(type: string, name: string, properties: Record<string, unknown>): PolicyResource {
  return { type, name, properties };
}

export function deployment(...resources: PolicyResource[]): PolicyDeployment {
  return { name: "customer-portal", resources };
}

export function change(
  type: string,
  name: string,
  action: PolicyChange["action"],
  extra: Partial<PolicyChange> = {},
): PolicyChange {
  return { type, name, action, ...extra };
}
