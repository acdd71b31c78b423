import type { Blueprint, Intent } from "../blueprint.ts";
import { assumed, type Composition, type SharedVlan } from "../composition.ts";
import type { ParsedGoal } from "../parse-goal.ts";

export const MAX_INSTANCES = 20;
const DEFAULT_INSTANCES = 2;
const DEFAULT_INSTANCE_TYPE = "t3.medium";
const DEFAULT_AMI = "ami-12345";
const DEFAULT_APP_PORT = 8080;

/** A web app behind HAProxy on OPNsense, on EC2 instances: the seed's customer portal. */
export const webAppLb: Blueprint = {
  id: "web-app-lb",
  description: "a web app on N EC2 instances behind an HAProxy load balancer on a VLAN, HTTPS allowed in",
  keywords: ["web app", "website", "load balancer", "lb", "haproxy", "instances"],
  build(composition, intent) {
    const settings = settingsFrom(composition.goal);
    if ("missing" in settings) return settings;
    const { instances, instanceType, appPort, listenPort } = settings;
    const vlan = composition.vlan("app-network", "web app network");
    composition.set("instances", instances);
    composition.set("instanceType", instanceType);
    composition.set("ami", settings.ami);
    composition.set("appPort", appPort);
    composition.set("listenPort", listenPort);
    composition.set("balance", settings.balance);

    const instanceNames = Array.from({ length: instances }, (_, index) => `app-${index + 1}`);
    const label = addFrontDoor(composition, settings, vlan, instanceNames);
    const missing = addInstances(composition, intent, settings, instanceNames);
    if (missing) return { missing };
    assumed(composition, "web-app-lb", settings.defaults);
    return {
      phrase:
        `a web app behind a load balancer (${instances} × ${instanceType} instance${instances === 1 ? "" : "s"}, ` +
        `port ${appPort}, ${label.toUpperCase()} on ${vlan.gateway}:${listenPort}, VLAN ${vlan.tag})`,
    };
  },
};

interface WebAppSettings {
  instances: number;
  instanceType: string;
  ami: string;
  appPort: number;
  listenPort: number;
  balance: string;
  /** The values the goal left out and this blueprint assumed, for the notes. */
  defaults: string[];
}

/** The goal's values with this blueprint's defaults, or why it cannot build them. */
function settingsFrom(goal: ParsedGoal): WebAppSettings | { missing: string } {
  const defaults: string[] = [];
  const instances = goal.count ?? DEFAULT_INSTANCES;
  if (goal.count === undefined) defaults.push(`${DEFAULT_INSTANCES} instances`);
  if (instances < 1) return { missing: `a web app needs at least one instance, not ${instances}` };
  if (instances > MAX_INSTANCES) {
    return { missing: `${instances} instances is more than the ${MAX_INSTANCES} this blueprint builds` };
  }
  const instanceType = goal.instanceType ?? DEFAULT_INSTANCE_TYPE;
  if (!goal.instanceType) defaults.push(`instance type ${DEFAULT_INSTANCE_TYPE}`);
  const ami = goal.ami ?? DEFAULT_AMI;
  if (!goal.ami) defaults.push(`AMI ${DEFAULT_AMI}`);
  const appPort =
    goal.ports.find((entry) => entry.port !== 80 && entry.port !== 443)?.port ?? DEFAULT_APP_PORT;
  if (appPort === DEFAULT_APP_PORT && !goal.ports.some((entry) => entry.port === appPort)) {
    defaults.push(`app port ${DEFAULT_APP_PORT}`);
  }
  const says = (pattern: RegExp) => pattern.test(goal.words);
  const secure = says(/\bhttps\b|\btls\b|\bssl\b/);
  const plainHttp = !secure && (says(/\bhttp\b(?!s)/) || goal.ports.some((entry) => entry.port === 80));
  const listenPort = plainHttp ? 80 : 443;
  const balance = says(/\bleast[\s-]?conn\w*\b/) ? "leastconn" : says(/\bsticky\b/) ? "source" : "roundrobin";
  if (!goal.vlanTag) defaults.push("VLAN 150");
  if (!goal.nic) defaults.push("parent interface igc2");
  return { instances, instanceType, ami, appPort, listenPort, balance, defaults };
}

/** HAProxy's backend and frontend on OPNsense, and the one rule that lets clients reach it. */
function addFrontDoor(
  composition: Composition,
  { appPort, listenPort, balance }: WebAppSettings,
  vlan: SharedVlan,
  instanceNames: readonly string[],
): string {
  const backend = composition.add({
    type: "opnsense:service:haproxy:backend",
    name: "app-backend",
    properties: {
      mode: "http",
      balance,
      // Each server is an instance's private address once it exists (design §4b references).
      servers: instanceNames.map((name) => `\${${name}.ip}:${appPort}`),
    },
  });
  const frontend = composition.add({
    type: "opnsense:service:haproxy:frontend",
    name: "haproxy",
    properties: { bind: `${vlan.gateway}:${listenPort}`, backend: `\${${backend}.id}`, mode: "http" },
  });
  composition.links.frontendIp = `\${${frontend}.ip}`;
  const label = listenPort === 443 ? "https" : "http";
  composition.add({
    type: "opnsense:firewall:rule",
    name: `allow-${label}`,
    properties: {
      action: "pass",
      interface: "wan",
      direction: "in",
      protocol: "tcp",
      source: "any",
      // Only the load balancer's address, only its port: never any-to-any.
      destination: `\${${frontend}.ip}`,
      port: listenPort,
      description: `${label.toUpperCase()} to the web app`,
    },
  });
  return label;
}

/** The VPC, its subnet and the instances; why not, when a value or a name cannot be used. */
function addInstances(
  composition: Composition,
  intent: Intent,
  { instanceType, ami }: WebAppSettings,
  instanceNames: readonly string[],
): string | undefined {
  const { goal } = composition;
  const vpc = composition.add({
    type: "aws:vpc:vpc",
    name: "vpc",
    properties: { cidrBlock: "10.20.0.0/16" },
  });
  const subnet = composition.add({
    type: "aws:vpc:subnet",
    name: "subnet",
    properties: { vpc: `\${${vpc}.id}`, cidrBlock: "10.20.1.0/24", availabilityZone: "us-east-1a" },
  });
  // Disk size goes to the database when there is one; otherwise it sizes the instances' root volumes.
  const rootVolumeGb =
    goal.storageGb !== undefined && !intent.blueprints.includes("database") ? goal.storageGb : undefined;
  if (rootVolumeGb !== undefined && rootVolumeGb > 16384) {
    return `a root volume of ${rootVolumeGb} GB is above EC2's 16384 GB`;
  }
  if (rootVolumeGb !== undefined) composition.set("rootVolumeGb", rootVolumeGb);
  for (const name of instanceNames) {
    const properties: Record<string, unknown> = { instanceType, ami, subnet: `\${${subnet}.id}` };
    if (rootVolumeGb !== undefined) properties["rootVolumeGb"] = rootVolumeGb;
    const used = composition.add({ type: "aws:ec2:instance", name, properties });
    if (used !== name) return `the instance name ${name} is already taken in this plan`;
  }
  return undefined;
}
