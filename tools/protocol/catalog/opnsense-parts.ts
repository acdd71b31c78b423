import type { JsonSchema } from "../type-handler.ts";

// Property schemas several OPNsense types share (catalog/opnsense.ts and opnsense-haproxy.ts).
// Descriptions leave room for the ownership marker the provider appends, hence 200 characters.
export const description: JsonSchema = { type: "string", maxLength: 200 };
export const interfaceName: JsonSchema = {
  type: "string",
  pattern: "^[A-Za-z0-9_.]+$",
  description: "wan, lan, optN, or an assigned device or description",
};
export const allowLockout: JsonSchema = {
  type: "boolean",
  description: "apply even if it would cut off the provider's own API access",
};
export const macAddress: JsonSchema = { type: "string", pattern: "^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$" };
export const hostOrAddress: JsonSchema = { type: "string", pattern: "^[A-Za-z0-9.:\\[\\]_-]+$" };
export const itemName: JsonSchema = {
  type: "string",
  pattern: "^[0-9A-Za-z._-]{1,255}$",
  description: "the name HAProxy shows; default: deployment-resource",
};
