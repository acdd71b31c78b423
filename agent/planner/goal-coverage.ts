import { dropExcluded } from "./offline/goal-intent.ts";
import { parseGoal } from "./offline/parse-goal.ts";
import { selectBlueprints } from "./offline/select.ts";
import { OTHER_DATABASES, UNCOVERED } from "./offline/vocabulary.ts";
import type { LeftOut } from "./submitted-spec.ts";

/**
 * Every element of a goal is planned or named in the plan's notes as left out, and why (issue 11
 * point 3). The offline planner does it from its blueprints; for a model's spec this module finds
 * the goal's elements with the same extractor (parse-goal and select), and names each one no
 * resource of the spec covers and the model's `leftOut` does not account for.
 */

/** A part of a goal, and what a resource covering it looks like (its type, or the image it runs). */
interface GoalElement {
  label: string;
  covers: RegExp;
}

const BLUEPRINT_ELEMENTS: Record<string, GoalElement[]> = {
  "web-app-lb": [
    { label: "web servers", covers: /ec2:instance|container|apps:deployment|ecs|compute/ },
    { label: "a load balancer", covers: /elb|load-?balancer|haproxy|ingress|:service\b/ },
  ],
  database: [{ label: "a database", covers: /rds|database|\bdb\b|sql|postgres|mysql|mariadb|dynamo|aurora/ }],
  "vlan-firewall": [{ label: "a VLAN", covers: /vlan/ }],
  "dns-override": [{ label: "a DNS record", covers: /dns|route-?53|record/ }],
  "dhcp-static": [{ label: "a static DHCP lease", covers: /dhcp/ }],
  "dhcp-range": [{ label: "a DHCP range", covers: /dhcp/ }],
  "container-service": [{ label: "containers", covers: /container|apps:deployment|ecs|pod|task/ }],
  "kubernetes-app": [{ label: "a Kubernetes workload", covers: /kubernetes|apps:deployment|core:service/ }],
};

/** What resources of the things no blueprint builds are called, by the offline vocabulary's label. */
const UNCOVERED_TYPES: Record<string, RegExp> = {
  CDN: /cloudfront|cdn/,
  cache: /elasticache|cache|redis|memcache|valkey/,
  "message queue": /sqs|sns|queue|kafka|msk|rabbit|\bmq\b|amazonmq|pubsub|eventbridge|kinesis/,
  "serverless functions": /lambda|function/,
  "object storage": /s3|bucket|storage/,
  VPN: /vpn|wireguard|openvpn|ipsec/,
  monitoring: /cloudwatch|alarm|monitor|prometheus|grafana|dashboard/,
  "log aggregation": /log/,
  "TLS certificate": /certificate|acm|cert/,
  autoscaling: /autoscaling|auto-scaling|scal/,
  WAF: /waf/,
  "bastion host": /ec2:instance|bastion/,
  "NAT / port forwarding": /nat/,
  "DHCP range": /dhcp/,
  "scheduled jobs": /cron|schedule|batch|events?:rule/,
  "mail server": /mail|ses/,
  "Helm charts": /helm/,
  "Kubernetes ingress": /ingress/,
  volumes: /volume|pvc|persistentvolume|ebs|efs/,
  "user accounts": /user|iam/,
  "backup jobs": /backup/,
  "domain registration": /route-?53|domain/,
  "SSO / identity": /sso|cognito|identity|ldap|oauth/,
  Redis: /redis|elasticache|valkey/,
  MongoDB: /mongo|docdb|documentdb/,
};

/** The elements of a goal, as the offline planner's extractor finds them, and platforms it names that no blueprint builds on. */
export function goalElements(goal: string): { elements: GoalElement[]; otherPlatforms: string[] } {
  const selection = selectBlueprints(parseGoal(dropExcluded(goal).goal));
  const elements = selection.blueprints.flatMap((id) => BLUEPRINT_ELEMENTS[id] ?? []);
  for (const label of selection.uncovered) {
    const fromVocabulary = [...UNCOVERED, ...OTHER_DATABASES].find((entry) => entry.label === label);
    if (!fromVocabulary) continue;
    const words = label.toLowerCase().replace(/[^a-z0-9]+/g, ".?");
    elements.push({ label, covers: UNCOVERED_TYPES[label] ?? new RegExp(words) });
  }
  return { elements, otherPlatforms: selection.otherPlatforms };
}

interface SpecResourceLike {
  type: string;
  properties?: Record<string, unknown>;
}

function covered(element: GoalElement, resources: readonly SpecResourceLike[]): boolean {
  return resources.some((resource) => {
    const image = typeof resource.properties?.["image"] === "string" ? resource.properties["image"] : "";
    return element.covers.test(resource.type.toLowerCase()) || element.covers.test(image.toLowerCase());
  });
}

/**
 * The plan's notes for a model's spec: what the model said it left out (and why), then each goal
 * element neither covered by a resource nor accounted for by the model, named as not planned.
 */
export function modelPlanNotes(
  goal: string,
  resources: readonly SpecResourceLike[],
  leftOut: readonly LeftOut[] = [],
): string[] {
  const { elements, otherPlatforms } = goalElements(goal);
  const notes = leftOut.map(
    (entry) => `left out: ${entry.element}${entry.why ? ` (${entry.why})` : " (the model gave no reason)"}`,
  );
  const said = leftOut.map((entry) => `${entry.element} ${entry.why}`.toLowerCase()).join("\n");
  for (const element of elements) {
    if (covered(element, resources)) continue;
    if (element.covers.test(said) || said.includes(element.label.toLowerCase())) continue;
    notes.push(
      `not planned: ${element.label} (the goal asks for it; no resource of the spec provides it and the model did not say why)`,
    );
  }
  for (const platform of otherPlatforms) {
    if (said.includes(platform.toLowerCase())) continue;
    notes.push(`the goal names ${platform}, which no configured provider serves; nothing was built there`);
  }
  return notes;
}

/**
 * Says a model's plan in the run's words: its notes (the model's own, what it left out, what it
 * missed) as the planner's summary and a `planner.understood` event, as the offline planner does.
 */
export function noteModelPlan(
  report: { planner: { summary?: string } },
  emit: (event: { type: "planner.understood"; summary: string }) => void,
  goal: string,
  plan: {
    deployment: { name: string; resources: readonly unknown[] };
    notes?: string;
    leftOut?: LeftOut[];
  },
): void {
  const resources = plan.deployment.resources.filter(
    (resource): resource is SpecResourceLike =>
      typeof resource === "object" &&
      resource !== null &&
      typeof (resource as SpecResourceLike).type === "string",
  );
  const notes = [...(plan.notes ? [plan.notes] : []), ...modelPlanNotes(goal, resources, plan.leftOut)];
  const count = plan.deployment.resources.length;
  const head = `Model plan: ${count} resource${count === 1 ? "" : "s"} in deployment "${plan.deployment.name}".`;
  const summary = notes.length > 0 ? `${head}\nNotes:\n  - ${notes.join("\n  - ")}` : head;
  report.planner.summary = summary;
  emit({ type: "planner.understood", summary });
}
