import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { scaled } from "../timeouts.ts";
import { AGENT, tempProject } from "./harness.ts";

const running: { kill(signal?: NodeJS.Signals): boolean }[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGTERM");
});

/** `agent provider NAME --http PORT` starts a server; its stderr names the address it listens on. */
async function serveOverHttp(dir: string): Promise<{ url: string; child: ReturnType<typeof execa> }> {
  const child = execa(process.execPath, [AGENT, "provider", "mock", "--http", "0"], {
    cwd: dir,
    env: { MCP_IAC_SERVER_NAME: "aws", MOCK_WORLD_FILE: join(dir, "aws.world.json") },
    reject: false,
  });
  running.push(child);
  let seen = "";
  for await (const chunk of child.stderr!) {
    seen += String(chunk);
    const match = /serving MCP over Streamable HTTP at (\S+)/.exec(seen);
    if (match) return { url: match[1]!, child };
  }
  throw new Error(`the provider exited before listening: ${seen}`);
}

describe("agent provider NAME --http", () => {
  it(
    "serves a built-in provider over Streamable HTTP on loopback, usable as a url entry of the config",
    async () => {
      const dir = tempProject();
      const { url, child } = await serveOverHttp(dir);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      writeFileSync(join(dir, "mcp-iac.config.yaml"), stringify({ mcpServers: { aws: { url } } }));
      writeFileSync(
        join(dir, "queue.yaml"),
        stringify({
          name: "over-http",
          resources: [{ name: "vpc", type: "aws:vpc:vpc", properties: { cidrBlock: "10.9.0.0/16" } }],
        }),
      );
      const applied = await execa(process.execPath, [AGENT, "apply", "-f", "queue.yaml", "--yes", "--json"], {
        cwd: dir,
        reject: false,
      });
      expect(applied.exitCode, applied.stdout + applied.stderr).toBe(0);
      const { report } = JSON.parse(applied.stdout) as { report: { outcome: string } };
      expect(report.outcome).toBe("succeeded");
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code).toBe(0);
    },
    scaled(60_000),
  );

  it("refuses a port that is not a number, naming it", async () => {
    const result = await execa(process.execPath, [AGENT, "provider", "mock", "--http", "eighty"], {
      reject: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--http takes a port number, not "eighty"');
  });
});
