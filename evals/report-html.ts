import type { GroupRates } from "./metrics.ts";
import type { ReportDocument } from "./report.ts";

/**
 * One self-contained HTML file (inline CSS and SVG, no script, nothing fetched): pass rate by
 * category and planner, tokens and time per case, and the table of runs.
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const PLANNER_COLOURS: Record<string, string> = { scripted: "#4c78a8", offline: "#f58518", live: "#54a24b" };
const colour = (planner: string) => PLANNER_COLOURS[planner] ?? "#888";

interface Bar {
  label: string;
  value: number;
  colour: string;
  text: string;
}

/** A horizontal bar chart as SVG; values are scaled to the largest (or to `max`). */
function barChart(id: string, title: string, bars: Bar[], max?: number): string {
  const rowHeight = 18;
  const labelWidth = 230;
  const width = 760;
  const top = max ?? Math.max(1, ...bars.map((bar) => bar.value));
  const height = bars.length * rowHeight + 10;
  const rows = bars
    .map((bar, index) => {
      const y = index * rowHeight + 4;
      const length = Math.max(0, ((width - labelWidth - 240) * bar.value) / top);
      return (
        `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escapeHtml(bar.label)}</text>` +
        `<rect class="bar" x="${labelWidth}" y="${y}" width="${length.toFixed(1)}" height="${rowHeight - 5}" fill="${bar.colour}"/>` +
        `<text x="${(labelWidth + length + 4).toFixed(1)}" y="${y + 12}">${escapeHtml(bar.text)}</text>`
      );
    })
    .join("");
  return (
    `<section><h2>${escapeHtml(title)}</h2>` +
    `<svg id="${id}" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${rows}</svg></section>`
  );
}

function rateBars(groups: GroupRates[], by: "key" | "planner"): Bar[] {
  return groups.map((group) => ({
    label: by === "key" ? `${group.key} (${group.planner})` : group.planner,
    value: group.passAt1,
    colour: colour(group.planner),
    text: `${Math.round(group.passAt1 * 100)}% of ${group.cases}`,
  }));
}

export function renderHtml(report: ReportDocument): string {
  const runs = report.results.filter((result) => !result.skipped);
  const legend = Object.entries(PLANNER_COLOURS)
    .map(([planner, fill]) => `<span class="key" style="background:${fill}"></span>${planner}`)
    .join(" ");
  const tokens = runs
    .filter((result) => result.tokens.input + result.tokens.output > 0)
    .map((result) => ({
      label: `${result.id} (${result.planner})`,
      value: result.tokens.input + result.tokens.output,
      colour: colour(result.planner),
      text: `${result.tokens.input} in / ${result.tokens.output} out / ${result.tokens.cached} cached`,
    }));
  const time = runs.map((result) => ({
    label: `${result.id} (${result.planner})`,
    value: result.durationMs,
    colour: colour(result.planner),
    text: `${(result.durationMs / 1000).toFixed(1)}s`,
  }));
  const rows = report.results
    .map(
      (result) =>
        `<tr class="${result.status}"><td>${escapeHtml(result.id)}</td><td>${result.planner}</td><td>${escapeHtml(result.category)}</td>` +
        `<td>${result.status}</td><td>${(result.durationMs / 1000).toFixed(1)}</td><td>${result.modelCalls}</td>` +
        `<td>${result.tokens.input}</td><td>${result.tokens.output}</td><td>${result.tokens.cached}</td>` +
        `<td>${result.retries}</td><td>${result.rollbacks}</td><td>${escapeHtml(result.failures.join("; ") || result.knownGap || "")}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mcp-iac eval report</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
svg text{font-size:11px;fill:#222}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}
tr.fail td{background:#fde2e2}tr.known-gap td{background:#fff4d6}
.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
</style></head><body>
<h1>mcp-iac eval report</h1>
<p id="summary">${escapeHtml(report.summary)}${report.knownGaps ? `, ${report.knownGaps} known gaps` : ""} in ${(report.durationMs / 1000).toFixed(0)}s · planners: ${escapeHtml(report.planner)} · k = ${report.repeat}</p>
<p>${legend}</p>
${barChart("pass-by-planner", "Pass@1 by planner", rateBars(report.byPlanner, "planner"), 1)}
${barChart("pass-by-category", "Pass@1 by category and planner", rateBars(report.byCategory, "key"), 1)}
${barChart("tokens-per-case", "Tokens per case (model planners)", tokens)}
${barChart("time-per-case", "Time per case", time)}
<section><h2>Runs</h2><table id="runs"><thead><tr><th>case</th><th>planner</th><th>category</th><th>status</th><th>s</th><th>calls</th><th>tok in</th><th>out</th><th>cached</th><th>retries</th><th>rollbacks</th><th>failures</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>
</body></html>
`;
}
