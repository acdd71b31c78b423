/** One check of the suite. A skipped check is ok (nothing was wrong) and says why it did not run. */
export interface ConformanceResult {
  name: string;
  ok: boolean;
  message?: string;
  skipped?: boolean;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  skipped: number;
  results: ConformanceResult[];
}

export function formatResult(result: ConformanceResult): string {
  if (result.skipped) return `  - ${result.name} (skipped: ${result.message ?? "not applicable"})`;
  if (result.ok) return `  ✓ ${result.name}`;
  return `  ✗ ${result.name}\n      ${(result.message ?? "failed").replace(/\n/g, "\n      ")}`;
}

/** The last line of every report, in exactly this shape. */
export function summaryLine(report: Pick<ConformanceReport, "passed" | "failed">): string {
  return `${report.passed} passed, ${report.failed} failed`;
}

export function tally(results: ConformanceResult[]): ConformanceReport {
  const skipped = results.filter((result) => result.skipped).length;
  const failed = results.filter((result) => !result.ok).length;
  return { passed: results.length - skipped - failed, failed, skipped, results };
}
