import type { Fields } from "./api.ts";

/** Who owns an item: the deployment and resource name, and an optional owner part (`#server`). */
export interface Marker {
  deploymentId: string;
  name: string;
  /** For items a resource owns besides its main item (a backend's servers), or an interface note. */
  part?: string;
}

// A suffix of the description field, since most OPNsense modules have no labels:
// "HTTPS to the portal [mcp-iac:customer-portal/allow-https]".
const PATTERN = /\s*\[mcp-iac:([^/\]\s]+)\/([^\]\s#]+)(?:#([^\]\s]+))?\]$/;

export function markerText(marker: Marker): string {
  const part = marker.part ? `#${encodeURIComponent(marker.part)}` : "";
  return `[mcp-iac:${encodeURIComponent(marker.deploymentId)}/${encodeURIComponent(marker.name)}${part}]`;
}

export function parseMarker(text: string): { text: string; marker: Marker | undefined } {
  const match = PATTERN.exec(text);
  if (!match) return { text, marker: undefined };
  const marker: Marker = { deploymentId: decodeURIComponent(match[1]!), name: decodeURIComponent(match[2]!) };
  if (match[3]) marker.part = decodeURIComponent(match[3]);
  return { text: text.slice(0, match.index), marker };
}

export function withMarker(fields: Fields, field: string, marker: Marker): Fields {
  const text = fields[field] ?? "";
  return { ...fields, [field]: text ? `${text} ${markerText(marker)}` : markerText(marker) };
}
