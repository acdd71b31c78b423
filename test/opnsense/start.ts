import { OpnsenseEmulator } from "./emulator.ts";

// By hand: `npx node test/opnsense/start.ts [port] [version]` (see README.md). Runs until Ctrl-C.
const port = Number(process.argv[2] ?? 0);
const emulator = await new OpnsenseEmulator({ version: process.argv[3] ?? "26.7.2" }).start(port);
const key = emulator.keys[0]!;
console.log(`OPNsense ${emulator.version} emulator on ${emulator.url}`);
console.log(`export OPNSENSE_URL=${emulator.url}`);
console.log(`export OPNSENSE_API_KEY='${key.key}'`);
console.log(`export OPNSENSE_API_SECRET='${key.secret}'`);
process.on("SIGINT", () => void emulator.stop().then(() => process.exit(0)));
process.on("SIGTERM", () => void emulator.stop().then(() => process.exit(0)));
