import { isUnknown, type PropertyMap, ProviderError } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import { versionAtLeast } from "./client.ts";
import type { TypeContext } from "./item-type.ts";
import { parseMarker } from "./marker.ts";

export const str = (p: PropertyMap, key: string): string | undefined =>
  typeof p[key] === "string" ? (p[key] as string) : undefined;
export const known = (value: unknown) => value !== undefined && !isUnknown(value);
/** A property as the API's text; booleans as "0"/"1". */
export function field(value: unknown, fallback = ""): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}
/** A port as a number when it is one, as users write it. */
export const portValue = (text: string): string | number => (/^\d+$/.test(text) ? Number(text) : text);
export const setIf = (out: PropertyMap, key: string, value: unknown) => {
  if (value !== undefined && value !== "") out[key] = value;
};

export const ASSIGNMENTS = crud("interfaces/assignment", "item", "interface", {
  apply: "interfaces/assignment/reconfigure",
  since: "26.7",
  needs: "the interface assignment API",
});

const BUILTIN_INTERFACE = /^(wan|lan|opt\d+|lo0)$/i;

/** OPNsense's own names are lowercase (lan, wan, optN); written so, reads and plans agree. */
export function canonicalInterface(name: unknown): unknown {
  return typeof name === "string" && BUILTIN_INTERFACE.test(name) ? name.toLowerCase() : name;
}

/** An interface as the API names it: lan/wan/optN, or found among the assignments by device or description. */
export async function apiInterface(context: TypeContext, name: string): Promise<string> {
  if (name === "" || BUILTIN_INTERFACE.test(name)) return name.toLowerCase();
  if (versionAtLeast(await context.client.version(), "26.7")) {
    for (const row of await context.api(ASSIGNMENTS).search()) {
      const ifname = row.identifier || row.uuid;
      if (row.if === name || parseMarker(row.descr ?? "").text.toLowerCase() === name.toLowerCase())
        return String(ifname);
    }
  }
  throw new ProviderError(
    "VALIDATION_FAILED",
    `interface ${name} is not assigned on the firewall; use lan, wan or optN, or assign the device first (opnsense:network:interface)`,
  );
}
