import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { startCloudControlEmulator } from "../aws/emulator/server.ts";
import { KubeEmulator } from "../kubernetes/emulator/server.ts";
import { OpnsenseEmulator } from "../opnsense/emulator.ts";

/**
 * The OPNsense, AWS and Kubernetes emulators for an eval case, started by its setup.sh and stopped
 * by its cleanup.sh (test infrastructure; the eval runner never imports it):
 *
 *   npx node test/emulators/launch.ts start DIR opnsense aws kubernetes   # returns once they listen
 *   npx node test/emulators/launch.ts stop DIR
 *
 * `start` leaves one background process serving them and writes DIR/emulators.json: per prefix,
 * the environment the real provider needs to reach its emulator. That process ends on `stop`, on
 * SIGTERM, or on its own once the eval runner that asked for it (EVAL_RUNNER_PID) is gone, so a
 * killed run leaves nothing behind. OPNSENSE_FAULTS (JSON, as POST /__emulator/faults takes) arms
 * OPNsense faults before the first call.
 */

const EMULATORS = ["opnsense", "aws", "kubernetes"] as const;
type Emulated = (typeof EMULATORS)[number];
const SELF = fileURLToPath(import.meta.url);
const ENV_FILE = "emulators.json";
const PID_FILE = "emulators.pid";

async function serve(dir: string, wanted: Emulated[], parent: number | undefined): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  const env: Partial<Record<Emulated, Record<string, string>>> = {};
  if (wanted.includes("opnsense")) {
    const emulator = await new OpnsenseEmulator({ version: "26.7.2" }).start(0);
    const key = emulator.keys[0]!;
    if (process.env["OPNSENSE_FAULTS"]) {
      await fetch(`${emulator.url}/__emulator/faults`, {
        method: "POST",
        body: process.env["OPNSENSE_FAULTS"],
      });
    }
    env.opnsense = {
      OPNSENSE_URL: emulator.url,
      OPNSENSE_API_KEY: key.key,
      OPNSENSE_API_SECRET: key.secret,
      OPNSENSE_PROVIDER_STATE_DIR: join(dir, "opnsense-provider"),
    };
    stops.push(() => emulator.stop());
  }
  if (wanted.includes("aws")) {
    const emulator = await startCloudControlEmulator({ polls: 1, settleMs: 200 });
    env.aws = { ...emulator.env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" };
    stops.push(() => emulator.stop());
  }
  if (wanted.includes("kubernetes")) {
    const emulator = await new KubeEmulator({ readyDelayMs: 50, deleteDelayMs: 50 }).start();
    const kubeconfig = KubeEmulator.writeKubeconfig(join(dir, "kubeconfig"), [{ name: "emu", emulator }]);
    env.kubernetes = { KUBECONFIG: kubeconfig, KUBE_WAIT_TIMEOUT_SECONDS: "20" };
    stops.push(() => emulator.close());
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled(stops.map((close) => close()));
    rmSync(join(dir, PID_FILE), { force: true });
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  // Written last: its presence says every emulator listens.
  writeFileSync(join(dir, PID_FILE), String(process.pid));
  writeFileSync(join(dir, ENV_FILE), JSON.stringify(env, null, 2));
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  setInterval(() => {
    if (parent !== undefined && !alive(parent)) void stop();
  }, 500);
}

async function start(dir: string, wanted: Emulated[]): Promise<void> {
  mkdirSync(dir, { recursive: true });
  rmSync(join(dir, ENV_FILE), { force: true });
  const log = openSync(join(dir, "emulators.log"), "a");
  const child = spawn(process.execPath, [SELF, "serve", dir, ...wanted], {
    detached: true,
    stdio: ["ignore", log, log],
    env: process.env,
  });
  child.unref();
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (existsSync(join(dir, ENV_FILE))) return;
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  const tail = existsSync(join(dir, "emulators.log")) ? readFileSync(join(dir, "emulators.log"), "utf8") : "";
  throw new Error(`the emulators did not start: ${tail.trim().split("\n").slice(-3).join(" | ")}`);
}

async function stop(dir: string): Promise<void> {
  const file = join(dir, PID_FILE);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, "utf8"));
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  for (let waited = 0; waited < 5_000 && existsSync(file); waited += 50) await sleep(50);
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Ended as asked.
  }
}

const [command, dirArgument, ...rest] = process.argv.slice(2);
const unknown = rest.filter((name) => !(EMULATORS as readonly string[]).includes(name));
if (!command || !dirArgument || unknown.length > 0 || !["start", "serve", "stop"].includes(command)) {
  console.error(`usage: launch.ts start|stop DIR [${EMULATORS.join(" ")}]`);
  process.exit(2);
}
const dir = resolve(dirArgument);
const wanted = (rest.length > 0 ? rest : [...EMULATORS]) as Emulated[];
if (command === "start") await start(dir, wanted);
else if (command === "stop") await stop(dir);
else {
  const parent = Number(process.env["EVAL_RUNNER_PID"]);
  await serve(dir, wanted, Number.isInteger(parent) && parent > 0 ? parent : undefined);
}
