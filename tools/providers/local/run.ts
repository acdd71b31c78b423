import { main } from "./server.ts";

try {
  await main();
} catch (error) {
  process.stderr.write(`local provider: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
