import type { PropertyMap } from "../../protocol/index.ts";
import { KNOWN_TYPES, type KnownType, knownType } from "./known-types.ts";
import type { Mapping } from "./mapping.ts";

/**
 * Any CloudFormation type by a mechanical token: `AWS::<Service>::<Resource>` is
 * `aws:<service>:<resource-in-kebab-case>` (`aws:sqs:queue`, `aws:logs:log-group`), with
 * CloudFormation's own property names (design §4).
 */

const CFN_TYPE = /^AWS::([A-Za-z0-9]+)::([A-Za-z0-9]+)$/;

function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

function pascal(segment: string): string {
  return segment
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

export function tokenOf(cfnType: string, prefix = "aws"): string {
  const match = CFN_TYPE.exec(cfnType);
  if (!match) throw new Error(`${cfnType} is not a CloudFormation type name`);
  return `${prefix}:${match[1]!.toLowerCase()}:${kebab(match[2]!)}`;
}

const BY_TOKEN = new Map(KNOWN_TYPES.map((entry) => [tokenOf(entry.cfnType), entry.cfnType]));

/**
 * The CloudFormation names a token may stand for, most likely first. Known types are exact; for
 * others the casing is guessed (`aws:dynamodb:table` → AWS::Dynamodb::Table, AWS::DYNAMODB::Table),
 * and a token written in CloudFormation's casing (`aws:DynamoDB:GlobalTable`) is taken as written.
 */
export function candidatesFor(token: string): string[] {
  const parts = token.split(":");
  if (parts.length !== 3 || parts[0] !== "aws") return [];
  const [, service = "", resource = ""] = parts;
  if (!/^[A-Za-z0-9]+$/.test(service) || !/^[A-Za-z0-9-]+$/.test(resource)) return [];
  const known = BY_TOKEN.get(`aws:${service.toLowerCase()}:${resource.toLowerCase()}`);
  if (known) return [known];
  const name = /[A-Z]/.test(resource) ? resource.replaceAll("-", "") : pascal(resource);
  const services = /[A-Z]/.test(service)
    ? [service]
    : [service.charAt(0).toUpperCase() + service.slice(1), service.toUpperCase()];
  return [...new Set(services.map((svc) => `AWS::${svc}::${name}`))];
}

const PERMISSIVE_NOTE =
  "The full schema is not available here: it lives in the CloudFormation registry (DescribeType), a different service. " +
  "Properties are passed to Cloud Control as written and validated there on apply.";

/** A mapping that passes CloudFormation's properties through, with what the built-in list knows. */
export function genericMapping(cfnType: string, token = tokenOf(cfnType)): Mapping {
  const known: KnownType | undefined = knownType(cfnType);
  const readOnly = new Set(known?.readOnly ?? []);
  const tagFormat = known?.tags ?? "none";
  return {
    type: token,
    cfnType,
    description: `${cfnType}${known ? `: ${known.summary}` : ""}, through Cloud Control, with CloudFormation's property names. ${PERMISSIVE_NOTE}`,
    properties: {
      type: "object",
      description: `CloudFormation properties of ${cfnType}. ${PERMISSIVE_NOTE}`,
      additionalProperties: true,
      ...(known?.examples ? { examples: known.examples } : {}),
    },
    outputs: {
      type: "object",
      description:
        "id (the primary identifier) and every property Cloud Control returns, read-only ones included",
      properties: { id: { type: "string" } },
      required: ["id"],
      additionalProperties: true,
    },
    replaceOnChange: [...(known?.createOnly ?? [])],
    tagFormat,
    tagsProperty: "Tags",
    toCfn: (properties) => {
      const model: PropertyMap = { ...properties };
      if (tagFormat !== "none") delete model["Tags"];
      return model;
    },
    fromCfn(model, id) {
      const properties: PropertyMap = {};
      for (const [key, value] of Object.entries(model)) if (!readOnly.has(key)) properties[key] = value;
      return { properties, outputs: { ...model, id } };
    },
  };
}

/** Known type names matching a free-text query (every word in the name or summary). */
export function searchKnown(query: string, extra: string[] = []): string[] {
  const words = query
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const haystacks = [
    ...KNOWN_TYPES.map((entry) => ({
      cfnType: entry.cfnType,
      text: `${entry.cfnType} ${tokenOf(entry.cfnType)} ${entry.summary}`,
    })),
    ...extra.map((cfnType) => ({ cfnType, text: `${cfnType} ${tokenOf(cfnType)}` })),
  ];
  const scored = haystacks
    .map(({ cfnType, text }) => ({
      cfnType,
      hits: words.filter((word) => text.toLowerCase().includes(word)).length,
    }))
    .filter((entry) => entry.hits > 0)
    .sort((a, b) => b.hits - a.hits);
  return [...new Set(scored.map((entry) => entry.cfnType))];
}
