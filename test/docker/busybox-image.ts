import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerFor } from "./engine.ts";

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

/** Applets the stand-in for Docker Hub's busybox image links to /bin/busybox, so they run by name. */
const APPLETS = ["sh", "sleep", "true", "cat", "echo", "ls"];

/**
 * A context shaped like Docker Hub's `busybox` image: `FROM scratch`, /bin/busybox and applet links,
 * so commands such as `["sleep", "3600"]` resolve on the default PATH.
 */
export async function createBusyboxAppletContext(): Promise<BusyboxContext> {
  const dir = await mkdtemp(join(tmpdir(), "mcp-iac-busybox-applets-"));
  await mkdir(join(dir, "bin"));
  await copyFile(BUSYBOX, join(dir, "bin", "busybox"));
  for (const applet of APPLETS) await symlink("busybox", join(dir, "bin", applet));
  await writeFile(join(dir, "Dockerfile"), ["FROM scratch", "COPY bin /bin", 'CMD ["sh"]', ""].join("\n"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface LocalBusyboxImage {
  /** True when this call built it (an image already there is left alone). */
  built: boolean;
  /** Removes the tag if this call built it. */
  release(): Promise<void>;
}

/**
 * Makes `tag` (e.g. busybox:latest) exist on the engine without a pull: an image already there is
 * used as is, else one is built FROM scratch from the applet context.
 */
export async function ensureLocalBusyboxImage(host: string, tag: string): Promise<LocalBusyboxImage> {
  const docker = dockerFor(host);
  const present = await docker
    .getImage(tag)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (present) return { built: false, release: async () => {} };
  const context = await createBusyboxAppletContext();
  try {
    const stream = await docker.buildImage({ context: context.dir, src: ["Dockerfile", "bin"] }, { t: tag });
    const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null, result: { error?: string }[]) =>
        error ? reject(error) : resolve(result),
      ),
    );
    const failed = events.find((event) => event.error);
    if (failed) throw new Error(`building ${tag} failed: ${failed.error}`);
  } finally {
    await context.cleanup();
  }
  return {
    built: true,
    release: async () => {
      await docker
        .getImage(tag)
        .remove()
        .catch(() => undefined);
    },
  };
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
