export { type CommandIo, runConformanceCommand } from "./command.ts";
export { type ConformanceReport, type ConformanceResult, summaryLine } from "./report.ts";
export { type ConformanceOptions, runConformance } from "./run-conformance.ts";
