import type { ParsedGoal } from "./parse-goal.ts";
import type { ParameterValue, SpecResource } from "./types.ts";

export const DEFAULT_VLAN_TAG = 150;
export const DEFAULT_NIC = "igc2";

/** A VLAN several blueprints may share: the web app's network is the one its firewall rules scope to. */
export interface SharedVlan {
  name: string;
  tag: number;
  /** 10.<hi>.<lo>.0/24 for the tag, so tags above 255 still give a valid network. */
  network: string;
  gateway: string;
}

export function vlanNetwork(tag: number): { network: string; gateway: string } {
  const prefix = `10.${tag >> 8}.${tag & 255}`;
  return { network: `${prefix}.0/24`, gateway: `${prefix}.1` };
}

/** The resources of one plan as the blueprints add them, with unique names and what was assumed. */
export class Composition {
  readonly goal: ParsedGoal;
  readonly deploymentName: string;
  readonly resources: SpecResource[] = [];
  readonly parameters: Record<string, ParameterValue> = {};
  readonly notes: string[] = [];
  /** Values one blueprint offers the next: the load balancer's address, the image a build tags. */
  readonly links: { frontendIp?: string; builtImage?: string; buildResource?: string } = {};
  readonly #owner = new Map<string, string>();
  #vlan: SharedVlan | undefined;
  #current = "";

  constructor(goal: ParsedGoal, deploymentName: string) {
    this.goal = goal;
    this.deploymentName = deploymentName;
  }

  /** Attributes the resources added from now on to a blueprint. */
  begin(blueprint: string): void {
    this.#current = blueprint;
  }

  /** Adds a resource under a free name (suffixing -2, -3… on a clash) and returns the name used. */
  add(resource: SpecResource): string {
    let name = resource.name;
    for (let suffix = 2; this.#owner.has(name); suffix++) name = `${resource.name}-${suffix}`;
    this.resources.push({ ...resource, name });
    this.#owner.set(name, this.#current);
    return name;
  }

  /** Types the resources of a blueprint use. */
  typesOf(blueprint: string): string[] {
    return [
      ...new Set(
        this.resources
          .filter((entry) => this.#owner.get(entry.name) === blueprint)
          .map((entry) => entry.type),
      ),
    ];
  }

  set(key: string, value: ParameterValue): void {
    this.parameters[key] = value;
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** The VLAN of this plan, created on first use from the goal's tag and parent NIC. */
  vlan(name: string, description: string): SharedVlan {
    if (this.#vlan) return this.#vlan;
    const tag = this.goal.vlanTag ?? DEFAULT_VLAN_TAG;
    const nic = this.goal.nic ?? DEFAULT_NIC;
    this.set("vlanTag", tag);
    this.set("vlanInterface", nic);
    const used = this.add({
      type: "opnsense:network:vlan",
      name,
      properties: { tag, interface: nic, description },
    });
    this.#vlan = { name: used, tag, ...vlanNetwork(tag) };
    return this.#vlan;
  }
}

/** Lists the defaults a blueprint fell back to, so the user sees what was assumed rather than read. */
export function assumed(composition: Composition, blueprint: string, defaults: string[]): void {
  if (defaults.length > 0) composition.note(`${blueprint} assumed ${defaults.join(", ")}`);
}

/** A resource-name-safe, DNS-label-safe form of a word. */
export function slug(text: string, fallback: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40)
    .replace(/-$/, "");
  return cleaned || fallback;
}
