#!/usr/bin/env node
// The sources are TypeScript with erasable syntax only, so Node 22.18+ runs them directly; the
// package's bin is the build of this file (dist/bin/agent.js), which imports the compiled JavaScript.
import module from "node:module";

// V8's code cache on disk (Node 22.1+): later starts skip compiling the same modules again.
module.enableCompileCache?.();
const { runCli } = await import("../cli/main.ts");
await runCli(process.argv.slice(2));
