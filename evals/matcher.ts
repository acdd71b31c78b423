import type { RunEvent } from "../agent/events.ts";
import type { GoalReport } from "../agent/run.ts";
import { matchesGlob } from "../policies/glob.ts";
import type { ListedResource } from "../tools/protocol/index.ts";
import type { Expectations, Forbidden, ResourceExpectation } from "./case-schema.ts";

/**
 * Why `actual` does not contain `expected`, one line per differing path; empty when it does.
 * Objects match on the keys the expectation names; an expected list is matched element by element
 * against distinct elements of the actual list, in any order; a number and the same number written
 * as a string are equal (providers and models differ on `port: 22` versus `port: "22"`); an
 * expected string written `/like this/` is a regular expression the actual string must match.
 */
export function valueMismatches(expected: unknown, actual: unknown, path = ""): string[] {
  const at = path || "(value)";
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected a list, got ${show(actual)}`];
    return containsAll(expected, actual)
      ? []
      : [`${at}: expected a list containing ${show(expected)}, got ${show(actual)}`];
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return [`${at}: expected a mapping, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([key, value]) =>
      valueMismatches(value, actual[key], path ? `${path}.${key}` : key),
    );
  }
  return scalarEqual(expected, actual) ? [] : [`${at}: expected ${show(expected)}, got ${show(actual)}`];
}

function containsAll(expected: unknown[], actual: unknown[], used = new Set<number>()): boolean {
  const [first, ...rest] = expected;
  if (expected.length === 0) return true;
  for (const [index, candidate] of actual.entries()) {
    if (used.has(index) || valueMismatches(first, candidate).length > 0) continue;
    used.add(index);
    if (containsAll(rest, actual, used)) return true;
    used.delete(index);
  }
  return false;
}

const PATTERN = /^\/(.+)\/$/s;

/** The regular expression an expected string `/like this/` stands for; throws when it does not compile. */
export function valuePattern(value: string): RegExp | undefined {
  const body = PATTERN.exec(value)?.[1];
  return body === undefined ? undefined : new RegExp(body);
}

function scalarEqual(expected: unknown, actual: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (expected === actual) return true;
  const pattern = typeof expected === "string" ? valuePattern(expected) : undefined;
  if (pattern)
    return (typeof actual === "string" || typeof actual === "number") && pattern.test(String(actual));
  const numeric = (value: unknown) =>
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : NaN;
  return (
    (typeof expected === "number" || typeof actual === "number") &&
    !Number.isNaN(numeric(expected)) &&
    numeric(expected) === numeric(actual)
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function label(resource: ListedResource): string {
  return resource.name ?? resource.id;
}

function describeExpectation(expectation: { type: string; name?: string; properties?: object }): string {
  const named = expectation.name ? ` named ${expectation.name}` : "";
  const props = expectation.properties ? ` with ${show(expectation.properties)}` : "";
  return `${expectation.type}${named}${props}`;
}

/** Resource expectations against what the providers list: one message per unmet expectation. */
export function matchResources(
  expectations: readonly ResourceExpectation[],
  listing: readonly ListedResource[],
): string[] {
  const failures: string[] = [];
  for (const expectation of expectations) {
    const ofType = listing.filter(
      (resource) =>
        matchesGlob(expectation.type, resource.type) &&
        (!expectation.name || matchesGlob(expectation.name, resource.name ?? "")),
    );
    const matching = ofType.filter(
      (resource) => valueMismatches(expectation.properties ?? {}, resource.properties).length === 0,
    );
    const found = matching.length;
    const ok =
      expectation.count !== undefined ? found === expectation.count : found >= (expectation.min ?? 1);
    if (ok) continue;
    const wanted =
      expectation.count !== undefined ? `exactly ${expectation.count}` : `at least ${expectation.min ?? 1}`;
    let detail = `found ${found}`;
    if (found > 0) detail += ` (${matching.map(label).join(", ")})`;
    const near = ofType.filter((resource) => !matching.includes(resource));
    if (near.length > 0 && expectation.properties) {
      // The closest miss says which values differed, so a failure reads as a diff.
      const closest = near
        .map((resource) => ({
          resource,
          why: valueMismatches(expectation.properties, resource.properties),
        }))
        .sort((a, b) => a.why.length - b.why.length)[0]!;
      detail += `; ${near.length} other ${expectation.type} did not match, e.g. ${label(closest.resource)}: ${closest.why.join("; ")}`;
    }
    failures.push(`resources: expected ${wanted} ${describeExpectation(expectation)}, ${detail}`);
  }
  return failures;
}

/** What must not exist afterwards: one message per forbidden pattern that matched something. */
export function findForbidden(forbidden: readonly Forbidden[], listing: readonly ListedResource[]): string[] {
  const failures: string[] = [];
  for (const entry of forbidden) {
    const rule = typeof entry === "string" ? { type: entry } : entry;
    const hits = listing.filter(
      (resource) =>
        matchesGlob(rule.type, resource.type) &&
        (!rule.properties || valueMismatches(rule.properties, resource.properties).length === 0),
    );
    if (hits.length > 0) {
      failures.push(
        `noResourcesOf: ${describeExpectation(rule)} exists: ${hits.map((hit) => `${label(hit)} (${hit.type})`).join(", ")}`,
      );
    }
  }
  return failures;
}

/** What one case run produced, as the matcher sees it. */
export interface RunObservation {
  report: GoalReport;
  events: readonly RunEvent[];
  /** The second run of a `repeat: true` case. */
  second?: GoalReport;
  /** What the providers list afterwards for the deployment. */
  world: readonly ListedResource[];
}

const oneOf = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);

function ruleMatches(expected: string, policy: string): boolean {
  return policy === expected || policy.endsWith(`/${expected}`);
}

/** Every expectation of a case against what its run did: empty means it passed. */
export function checkExpectations(expect: Expectations, observed: RunObservation): string[] {
  const { report, world } = observed;
  const failures: string[] = [];
  const because = report.reason ? ` (${report.reason.split("\n")[0]})` : "";

  if (expect.outcome && !oneOf(expect.outcome).includes(report.outcome)) {
    failures.push(`outcome: expected ${oneOf(expect.outcome).join(" or ")}, got ${report.outcome}${because}`);
  }
  if (expect.planner && !oneOf(expect.planner).includes(report.planner.kind)) {
    failures.push(`planner: expected ${oneOf(expect.planner).join(" or ")}, got ${report.planner.kind}`);
  }
  if (expect.deploymentName && report.spec?.name !== expect.deploymentName) {
    failures.push(
      `deploymentName: expected ${expect.deploymentName}, got ${report.spec ? report.spec.name : "no spec"}`,
    );
  }
  if (expect.resources) failures.push(...matchResources(expect.resources, world));
  if (expect.noResourcesOf) failures.push(...findForbidden(expect.noResourcesOf, world));
  if (expect.policy) failures.push(...checkPolicy(expect.policy, observed));
  failures.push(...checkEngine(expect, observed));
  if (expect.second) failures.push(...checkSecond(expect.second, observed));
  return failures;
}

/** `policy`: whether the run was blocked, which rules fired and which must not have. */
function checkPolicy(policy: NonNullable<Expectations["policy"]>, observed: RunObservation): string[] {
  const { report, events } = observed;
  const failures: string[] = [];
  const findings = [...report.findings.deployment, ...report.findings.plan];
  // A model's rejected submissions count too: the policy caught it even if the repair then passed.
  const rejected = events.flatMap((event) => (event.type === "planner.submission" ? event.messages : []));
  const blocked = report.outcome === "blocked";
  if (policy.blocked !== undefined && policy.blocked !== blocked) {
    failures.push(`policy.blocked: expected ${policy.blocked}, got ${blocked}`);
  }
  for (const id of policy.mandatory ?? []) {
    const found =
      findings.some((finding) => finding.enforcement === "mandatory" && ruleMatches(id, finding.policy)) ||
      rejected.some((message) => message.includes(id));
    if (!found) {
      const seen = findings.map((finding) => `${finding.policy} (${finding.enforcement})`);
      failures.push(
        `policy.mandatory: ${id} was not found${seen.length > 0 ? `; found ${seen.join(", ")}` : "; no findings"}`,
      );
    }
  }
  for (const id of policy.absent ?? []) {
    const hits = findings.filter((finding) => ruleMatches(id, finding.policy));
    if (hits.length > 0) {
      failures.push(
        `policy.absent: ${id} was found: ${hits.map((hit) => hit.resource ?? hit.message).join(", ")}`,
      );
    }
  }
  return failures;
}

/** What the engine did: model calls, recovery actions, retries and planned change counts. */
function checkEngine(expect: Expectations, observed: RunObservation): string[] {
  const { report, events } = observed;
  const failures: string[] = [];
  if (expect.maxModelCalls !== undefined && report.modelCalls.length > expect.maxModelCalls) {
    failures.push(
      `maxModelCalls: expected at most ${expect.maxModelCalls}, made ${report.modelCalls.length}`,
    );
  }
  if (expect.recovery) {
    const actions = report.recovery.map((entry) => entry.action);
    if (actions.join(",") !== expect.recovery.join(",")) {
      failures.push(
        `recovery: expected [${expect.recovery.join(", ")}], got [${actions.join(", ")}]${
          report.recovery.length > 0 ? ` (${report.recovery.map((entry) => entry.reason).join("; ")})` : ""
        }`,
      );
    }
  }
  if (expect.retried) {
    const retried = new Set(
      events.flatMap((event) => (event.type === "change.retrying" ? [event.name] : [])),
    );
    for (const name of expect.retried) {
      if (!retried.has(name)) {
        failures.push(
          `retried: expected the engine to retry ${name}; it retried ${retried.size > 0 ? [...retried].join(", ") : "nothing"}`,
        );
      }
    }
  }
  if (expect.changes) {
    const counts: Record<string, number> = {};
    for (const change of report.plan?.changes ?? []) counts[change.action] = (counts[change.action] ?? 0) + 1;
    for (const [action, wanted] of Object.entries(expect.changes)) {
      if (wanted !== undefined && (counts[action] ?? 0) !== wanted) {
        failures.push(
          `changes.${action}: expected ${wanted}, planned ${counts[action] ?? 0}${report.plan ? "" : " (no plan)"}`,
        );
      }
    }
  }
  return failures;
}

/** `second`: the same goal run again, against the state the first run left. */
function checkSecond(expected: NonNullable<Expectations["second"]>, observed: RunObservation): string[] {
  const second = observed.second;
  if (!second) return ["second: the case did not run twice"];
  const failures: string[] = [];
  const { outcome, planner, maxModelCalls } = expected;
  if (outcome && !oneOf(outcome).includes(second.outcome)) {
    const why = second.reason ? ` (${second.reason.split("\n")[0]})` : "";
    failures.push(`second.outcome: expected ${oneOf(outcome).join(" or ")}, got ${second.outcome}${why}`);
  }
  if (planner && !oneOf(planner).includes(second.planner.kind)) {
    failures.push(`second.planner: expected ${oneOf(planner).join(" or ")}, got ${second.planner.kind}`);
  }
  if (maxModelCalls !== undefined && second.modelCalls.length > maxModelCalls) {
    failures.push(
      `second.maxModelCalls: expected at most ${maxModelCalls}, made ${second.modelCalls.length}`,
    );
  }
  return failures;
}
