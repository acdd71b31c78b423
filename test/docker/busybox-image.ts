import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Debian's busybox-static: one static binary, so images can be built FROM scratch with no pull. */
export const BUSYBOX = "/bin/busybox";

export const WELCOME_TEXT = "hello from mcp-iac busybox\n";

export interface BusyboxContext {
  /** Absolute path of the build context. */
  dir: string;
  cleanup(): Promise<void>;
}

export function busyboxMissing(): string | undefined {
  return existsSync(BUSYBOX) ? undefined : `${BUSYBOX} is missing (apt-get install -y busybox-static)`;
}

/** A build context: `FROM scratch` + busybox + a page for `httpd -h /www` to serve. */
export async function createBusyboxContext(): Promise<BusyboxContext> {
  const dir = await mkdtemp(join(tmpdir(), "mcp-iac-busybox-"));
  await copyFile(BUSYBOX, join(dir, "busybox"));
  await mkdir(join(dir, "www"));
  await writeFile(join(dir, "www", "index.html"), WELCOME_TEXT);
  await writeFile(
    join(dir, "Dockerfile"),
    [
      "FROM scratch",
      "COPY busybox /bin/busybox",
      "COPY www /www",
      'CMD ["/bin/busybox", "sleep", "3600"]',
      "",
    ].join("\n"),
  );
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The command that serves /www on 127.0.0.1:port in the foreground (for `network: host`). */
export function httpdCommand(port: number): string[] {
  return ["/bin/busybox", "httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", "/www"];
}

/** A port nobody listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Fetches a URL until it answers (the server in the container needs a moment to bind). */
export async function fetchWhenUp(url: string, attempts = 100): Promise<{ status: number; body: string }> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      const response = await fetch(url);
      return { status: response.status, body: await response.text() };
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${url} never answered: ${String(last)}`);
}
