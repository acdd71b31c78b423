import type { Blueprint } from "./blueprint.ts";
import { containerService, imageBase } from "./blueprints/container-service.ts";
import { database } from "./blueprints/database.ts";
import { dhcpRange } from "./blueprints/dhcp-range.ts";
import { dhcpStatic } from "./blueprints/dhcp-static.ts";
import { dnsOverride } from "./blueprints/dns-override.ts";
import { kubernetesApp } from "./blueprints/kubernetes-app.ts";
import { vlanFirewall } from "./blueprints/vlan-firewall.ts";
import { webAppLb } from "./blueprints/web-app-lb.ts";
import { Composition, DEFAULT_VLAN_TAG, slug } from "./composition.ts";
import { dropExcluded, unhonoured, verbProblem } from "./goal-intent.ts";
import { type ParsedGoal, parseGoal } from "./parse-goal.ts";
import { type Selection, selectBlueprints } from "./select.ts";
import type { BlueprintInfo, OfflinePlan, OfflineUnderstanding, PlanOfflineOptions } from "./types.ts";

export type {
  BlueprintInfo,
  OfflinePlan,
  OfflineUnderstanding,
  ParameterValue,
  PlanOfflineOptions,
  SpecResource,
} from "./types.ts";

const ALL: readonly Blueprint[] = [
  webAppLb,
  database,
  vlanFirewall,
  dnsOverride,
  dhcpStatic,
  dhcpRange,
  containerService,
  kubernetesApp,
];
const BY_ID = new Map(ALL.map((blueprint) => [blueprint.id, blueprint]));

/** The built-in blueprint catalog: what the offline planner can build without a model. */
export const BLUEPRINTS: readonly BlueprintInfo[] = Object.freeze(
  ALL.map(({ id, description, keywords }) => Object.freeze({ id, description, keywords: [...keywords] })),
);

const MODEL_HINT = "or set ANTHROPIC_API_KEY or OPENAI_API_KEY to plan with a model";
const EXAMPLE = "deploy a web app with a load balancer and a postgres database";

function catalogText(): string {
  return BLUEPRINTS.map((blueprint) => `${blueprint.id} (${blueprint.description})`).join("; ");
}

function decline(why: string, understood: OfflineUnderstanding): OfflinePlan {
  return {
    kind: "declined",
    reason:
      `Offline planner: ${why}. It can build: ${catalogText()}. ` +
      `Rephrase the goal with one of these (e.g. "${EXAMPLE}"), ${MODEL_HINT}.`,
    understood,
  };
}

/** Lowercase letters, digits and '-', at most 63, as deployment names must be. */
function deploymentNameFrom(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

function derivedName(selection: Selection, goal: ParsedGoal): string {
  const main = selection.blueprints.find((id) => id !== "database") ?? selection.blueprints[0];
  const image = selection.intent.image;
  switch (main) {
    case "web-app-lb":
      return "web-app";
    case "vlan-firewall":
      return `vlan-${goal.vlanTag ?? DEFAULT_VLAN_TAG}`;
    case "container-service":
    case "kubernetes-app":
      return image && !selection.intent.build ? slug(imageBase(image), "app") : "app";
    default:
      return main ?? "offline";
  }
}

/** The goal as quoted back, with `KEY=value` values hidden: they may be secrets (design §3). */
function quoted(raw: string): string {
  return raw.replace(/\b([A-Z_][A-Z0-9_]*)=("[^"]*"|'[^']*'|[^\s,;]+)/g, "$1=…");
}

function joinPhrases(phrases: string[]): string {
  if (phrases.length <= 1) return phrases.join("");
  return `${phrases.slice(0, -1).join(", ")} and ${phrases.at(-1)}`;
}

/** Values the goal carried that no chosen blueprint used, so nothing is dropped without a word. */
function unusedValues(goal: ParsedGoal, blueprints: readonly string[]): string[] {
  const notes: string[] = [];
  const uses = (id: string) => blueprints.includes(id);
  if (goal.fqdns.length > 0 && !uses("dns-override")) {
    notes.push(
      `not used: ${goal.fqdns.join(", ")} (say 'point ${goal.fqdns[0]} at <ip>' for a DNS override)`,
    );
  }
  if (goal.ips.length > 0 && !uses("dns-override") && !uses("dhcp-static")) {
    notes.push(`not used: ${goal.ips.join(", ")}`);
  }
  if (goal.count !== undefined && !["web-app-lb", "container-service", "kubernetes-app"].some(uses)) {
    notes.push(`not used: the count ${goal.count} (these blueprints build one of each)`);
  }
  return notes;
}

/**
 * Drops properties the mounted server does not describe for a type (one catalog truth: what the
 * sandbox accepts the real provider must too), and says which, so nothing is lost silently.
 */
function keepDescribed(
  composition: Composition,
  typeProperties: ReadonlyMap<string, readonly string[]>,
): string[] {
  const notes: string[] = [];
  for (const resource of composition.resources) {
    const described = typeProperties.get(resource.type);
    if (!described) continue;
    for (const key of Object.keys(resource.properties)) {
      if (described.includes(key)) continue;
      delete resource.properties[key];
      notes.push(`left out: ${resource.name}.${key} (the server for ${resource.type} does not describe it)`);
    }
  }
  return notes;
}

/**
 * Turns a plain-language goal into a deployment spec from the built-in blueprints, without a model.
 * It says what it understood and declines a goal it cannot map rather than guessing.
 */
export function planOffline(goal: string, options: PlanOfflineOptions = {}): OfflinePlan {
  const read = readGoal(goal);
  if ("kind" in read) return read;
  const { parsed, selection, understood } = read;
  const requested = options.deploymentName ?? parsed.name ?? derivedName(selection, parsed);
  const name =
    deploymentNameFrom(requested) || deploymentNameFrom(derivedName(selection, parsed)) || "offline";
  const { composition, phrases, failures } = buildAll(selection, parsed, name);
  if (failures.length > 0) {
    return decline(
      `understood ${selection.blueprints.join(" and ")} but cannot build ${failures.join("; ")}`,
      {
        ...understood,
        parameters: { ...composition.parameters },
        notes: [...understood.notes, ...composition.notes],
      },
    );
  }

  const understanding: OfflineUnderstanding = {
    blueprints: selection.blueprints,
    parameters: { ...composition.parameters },
    notes: [...understood.notes, ...composition.notes],
  };
  if (name !== requested) understanding.notes.push(`deployment name "${requested}" became "${name}"`);
  const lacking = options.availableTypes && lackingTypes(selection, composition, options.availableTypes);
  if (lacking) return decline(`${lacking}, which no configured server offers`, understanding);
  if (options.typeProperties) understanding.notes.push(...keepDescribed(composition, options.typeProperties));
  const uncovered =
    selection.uncovered.length > 0 ? ` Not covered offline: ${selection.uncovered.join(", ")}.` : "";
  const count = composition.resources.length;
  return {
    kind: "planned",
    deployment: { name, resources: composition.resources },
    understanding,
    summary:
      `Offline planner (built-in blueprints, no model): understood ${joinPhrases(phrases)}; ` +
      `${count} resource${count === 1 ? "" : "s"} in deployment "${name}".${uncovered}`,
  };
}

interface ReadGoal {
  parsed: ParsedGoal;
  selection: Selection;
  /** What was understood before building: the blueprints and every note on the goal itself. */
  understood: OfflineUnderstanding;
}

/** The goal parsed and its blueprints chosen, or declined when it asks for nothing they can build. */
function readGoal(goal: string): ReadGoal | OfflinePlan {
  const empty: OfflineUnderstanding = { blueprints: [], parameters: {}, notes: [] };
  const verb = verbProblem(goal);
  if (verb) return decline(verb, empty);
  const excluded = dropExcluded(goal);
  const parsed = parseGoal(excluded.goal);
  if (parsed.text === "") return decline("the goal is empty", { ...empty, notes: excluded.notes });
  const selection = selectBlueprints(parsed);
  const uncoveredNote =
    selection.uncovered.length > 0 ? [`not covered offline: ${selection.uncovered.join(", ")}`] : [];
  const understood: OfflineUnderstanding = {
    blueprints: selection.blueprints,
    parameters: {},
    notes: [
      ...excluded.notes,
      ...uncoveredNote,
      ...unusedValues(parsed, selection.blueprints),
      ...unhonoured(goal, selection.blueprints),
    ],
  };
  if (selection.otherPlatforms.length > 0) {
    return decline(
      `the goal targets ${selection.otherPlatforms.join(", ")}, and the built-in blueprints build only on OPNsense, AWS, Kubernetes and Docker`,
      understood,
    );
  }
  if (selection.blueprints.length === 0) {
    const asked = selection.uncovered.length > 0 ? ` (it asks for ${selection.uncovered.join(", ")})` : "";
    return decline(`no blueprint matches "${quoted(parsed.raw)}"${asked}`, understood);
  }

  if (parsed.invalid.length > 0) {
    return decline(
      `understood ${selection.blueprints.join(" and ")}, but cannot use these values: ${parsed.invalid.join(", ")}`,
      understood,
    );
  }
  return { parsed, selection, understood };
}

/** Each chosen blueprint built into one composition, in selection order. */
function buildAll(selection: Selection, parsed: ParsedGoal, name: string) {
  const composition = new Composition(parsed, name);
  const phrases: string[] = [];
  const failures: string[] = [];
  for (const id of selection.blueprints) {
    const blueprint = BY_ID.get(id)!;
    composition.begin(id);
    const outcome = blueprint.build(composition, selection.intent);
    if ("missing" in outcome) failures.push(`${id}: ${outcome.missing}`);
    else phrases.push(outcome.phrase);
  }
  return { composition, phrases, failures };
}

/** Which blueprints need types no configured server offers, as one phrase; undefined when none. */
function lackingTypes(
  selection: Selection,
  composition: Composition,
  availableTypes: readonly string[],
): string | undefined {
  const offered = new Set(availableTypes);
  const lacking = selection.blueprints
    .map((id) => ({ id, types: composition.typesOf(id).filter((type) => !offered.has(type)) }))
    .filter((entry) => entry.types.length > 0);
  if (lacking.length === 0) return undefined;
  return lacking.map((entry) => `${entry.id} needs ${entry.types.join(", ")}`).join("; ");
}
