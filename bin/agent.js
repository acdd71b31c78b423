#!/usr/bin/env node
// The sources are TypeScript with erasable syntax only, so Node 22.18+ runs them directly.
import "../cli/main.ts";
