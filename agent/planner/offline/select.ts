import type { Intent } from "./blueprint.ts";
import { engineOf } from "./blueprints/database.ts";
import { dhcpRangeOf } from "./blueprints/dhcp-range.ts";
import { allowedTraffic } from "./blueprints/vlan-firewall.ts";
import type { ParsedGoal } from "./parse-goal.ts";
import { KNOWN_IMAGES, OTHER_DATABASES, OTHER_PLATFORMS, UNCOVERED, WORDS } from "./vocabulary.ts";

export interface Selection {
  intent: Intent;
  /** Blueprint ids in build order. */
  blueprints: string[];
  /** Parts of the goal no blueprint covers, to be named in the notes (or the decline). */
  uncovered: string[];
  /** Platforms the goal names that the blueprints do not build on. */
  otherPlatforms: string[];
}

/** Build order: the web app first (the VLAN and frontend others link to), builds before what runs them. */
export const BUILD_ORDER = [
  "web-app-lb",
  "vlan-firewall",
  "database",
  "dns-override",
  "dhcp-static",
  "dhcp-range",
  "container-service",
  "kubernetes-app",
];

const WEB_PORTS = new Set([80, 443]);

/** A well-known image named as something to run ("run redis", "an nginx container"), not in passing ("a redis cache"). */
function bareImage(words: string): string | undefined {
  return Object.keys(KNOWN_IMAGES).find((name) =>
    new RegExp(
      `\\b(?:run|running|deploy|start|image)\\s+(?:an?\\s+|the\\s+)?${name}\\b|\\b${name}\\s+(?:containers?|images?|pods?|replicas?|deployment|running)\\b|\\b${name}\\s+(?:on|in|with)\\s+(?:k8s|kubernetes|docker)\\b`,
    ).test(words),
  );
}

function explicitImage(goal: ParsedGoal): string | undefined {
  if (goal.images[0]) return goal.images[0];
  const named = /\bimage\s+["']?([a-z0-9][a-z0-9._/-]*[a-z0-9])\b/.exec(goal.words)?.[1];
  return named && !["from", "of", "and", "with", "for", "to", "on"].includes(named) ? named : undefined;
}

/** Decides the platform, the blueprints and what is left uncovered, from keywords alone. */
export function selectBlueprints(goal: ParsedGoal): Selection {
  const otherPlatforms = OTHER_PLATFORMS.filter((entry) => entry.pattern.test(goal.words)).map(
    (entry) => entry.label,
  );
  let words = goal.words;
  const kubernetes = WORDS.kubernetes.test(words);
  const docker =
    !kubernetes && (WORDS.container.test(words) || goal.images.length > 0 || goal.dockerfile !== undefined);
  const onContainers = kubernetes || docker;
  let image = onContainers ? explicitImage(goal) : undefined;
  if (onContainers && !image) image = bareImage(words);
  // The image's name is not a request for that product ("run a redis container" asks for no Redis service).
  if (image)
    words = words.replace(
      new RegExp(`\\b${image.split(":")[0]!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\b`, "g"),
      " ",
    );
  const build = onContainers && WORDS.build.test(words);
  const intent: Intent = {
    platform: kubernetes ? "kubernetes" : docker ? "docker" : "infrastructure",
    build,
    blueprints: [],
  };
  if (image) intent.image = image;

  const uncovered = [...UNCOVERED, ...OTHER_DATABASES]
    .filter((entry) => entry.pattern.test(words))
    .map((entry) => entry.label);
  const chosen = new Set<string>();
  const otherDatabase = OTHER_DATABASES.some((entry) => entry.pattern.test(words));
  const wantsDatabase = WORDS.database.test(words) && (engineOf(words) !== undefined || !otherDatabase);

  if (kubernetes) {
    if (build) chosen.add("container-service");
    chosen.add("kubernetes-app");
  } else if (docker) {
    chosen.add("container-service");
    if (WORDS.loadBalancer.test(words)) uncovered.push("a load balancer in front of Docker containers");
  }
  // On containers the web words describe the containers; on plain infrastructure they ask for web-app-lb.
  const web = !onContainers && (WORDS.web.test(words) || WORDS.loadBalancer.test(words));
  if (web) chosen.add("web-app-lb");
  if (wantsDatabase && (!onContainers || WORDS.aws.test(words))) chosen.add("database");
  else if (wantsDatabase) {
    uncovered.push(
      `a database inside ${kubernetes ? "Kubernetes" : "Docker"} (say 'an RDS postgres database' for AWS)`,
    );
  }
  // The OPNsense blueprints compose with any platform.
  const allowing = WORDS.firewall.test(words);
  // Beside a web app, only traffic other than its own (80/443 and its app port) needs VLAN rules.
  const appPort = goal.ports.find((entry) => !WEB_PORTS.has(entry.port))?.port;
  const extraTraffic = allowing
    ? allowedTraffic(words, onContainers ? [] : goal.ports).filter(
        (entry) => !web || (!WEB_PORTS.has(entry.port ?? 0) && entry.port !== appPort),
      )
    : [];
  if ((WORDS.vlan.test(words) && !web) || extraTraffic.length > 0) {
    if (WORDS.vlan.test(words) || web) chosen.add("vlan-firewall");
    else
      uncovered.push("firewall rules outside a VLAN (say which VLAN, e.g. 'vlan 30 allowing https and dns')");
  }
  const dnsIntent =
    (goal.fqdns.length > 0 && /\b(?:dns|resolve\w*|point\w*|override|record)\b/.test(words)) ||
    /\bdns\s+(?:override|record|entry|name)\b|\bhost\s+override\b|\ba[\s-]record\b/.test(words);
  if (dnsIntent) chosen.add("dns-override");
  const dhcpIntent =
    goal.macs.length > 0 ||
    /\bstatic\s+(?:dhcp|lease|mapping)\b|\bdhcp\b(?!\s+(?:range|pool|server))|\breserv\w*\b|\bleases?\b/.test(
      words,
    );
  // A range of addresses with DHCP is a pool, not a static lease (which needs a MAC).
  const pool = /\bdhcp\b/.test(words) && dhcpRangeOf(goal.text) !== undefined;
  if (pool) chosen.add("dhcp-range");
  if (dhcpIntent && (!pool || goal.macs.length > 0)) chosen.add("dhcp-static");
  const blueprints = BUILD_ORDER.filter((id) => chosen.has(id));
  intent.blueprints = blueprints;
  return { intent, blueprints, uncovered: [...new Set(uncovered)], otherPlatforms };
}
