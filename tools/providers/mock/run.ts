// Starts the mock provider on stdio until the CLI's `agent provider mock` is wired.
import { main } from "./server.ts";

await main();
