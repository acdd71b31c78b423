import type { ToolSpec } from "../llm/types.ts";

const SPEC_SCHEMA = {
  description:
    "The whole deployment: an object { name, resources: [{ type, name, properties, dependsOn?, checks? }] }, or the same as YAML or JSON text",
  anyOf: [
    {
      type: "object",
      properties: {
        name: { type: "string", description: "lowercase letters, digits and '-'" },
        resources: {
          type: "array",
          items: {
            type: "object",
            properties: {
              type: { type: "string", description: "provider:module:kind, from the resource catalog" },
              name: { type: "string" },
              properties: { type: "object" },
              dependsOn: { type: "array", items: { type: "string" } },
              checks: { type: "array", items: { type: "object" } },
            },
            required: ["type", "name", "properties"],
          },
        },
      },
      required: ["name", "resources"],
    },
    { type: "string" },
  ],
};

const REASON = { type: "string", description: "one or two sentences for the person reading the run" };

/** The planner's tools: three read-only lookups and the one way to hand a spec over. */
export const PLANNER_TOOLS: ToolSpec[] = [
  {
    name: "list_resources",
    description:
      "List resources that already exist on the providers (managed by mcp-iac or not), optionally of one type. Read-only.",
    inputSchema: {
      type: "object",
      properties: {
        type: { type: "string", description: "a resource type to filter by, e.g. opnsense:network:vlan" },
      },
    },
  },
  {
    name: "get_resource",
    description: "Read one existing resource by type and id: its properties and outputs. Read-only.",
    inputSchema: {
      type: "object",
      properties: { type: { type: "string" }, id: { type: "string" } },
      required: ["type", "id"],
    },
  },
  {
    name: "describe_resource_types",
    description:
      "Find and describe resource types beyond the catalog in your context (a provider may serve a thousand, e.g. any AWS CloudFormation type as aws:<service>:<resource-in-kebab-case>): `query` searches by words, `types` describes the named ones with their property schemas. Read-only.",
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", description: "a few words, e.g. message queue" },
        types: {
          type: "array",
          items: { type: "string" },
          description: "type names to describe, e.g. aws:sqs:queue",
        },
      },
    },
  },
  {
    name: "search_memory",
    description: "Search deployments that worked before and lessons learned from failures. Read-only.",
    inputSchema: {
      type: "object",
      properties: { query: { type: "string", description: "what you are looking for, in a few words" } },
      required: ["query"],
    },
  },
  {
    name: "submit_deployment",
    description:
      "Submit the deployment spec. It is checked against the schemas, the providers and the policies; the result lists any problems to fix, or accepts it and ends planning.",
    inputSchema: {
      type: "object",
      properties: {
        spec: SPEC_SCHEMA,
        notes: { type: "string", description: "optional: assumptions you made, for the person" },
        leftOut: {
          type: "array",
          description:
            "every part of the goal the spec does not build, each with why (no type offers it, a policy forbids it, a secret is missing, the goal is unclear); empty when the spec covers the whole goal",
          items: {
            type: "object",
            properties: {
              element: {
                type: "string",
                description: "the part of the goal, in its words, e.g. a redis cache",
              },
              why: { type: "string" },
            },
            required: ["element", "why"],
          },
        },
      },
      required: ["spec"],
    },
  },
];

/** The recovery tools: exactly one is called, and it only decides; the engine acts. */
export const RECOVERY_TOOLS: ToolSpec[] = [
  {
    name: "retry",
    description: "Apply the same spec again: the failure was transient.",
    inputSchema: { type: "object", properties: { reason: REASON }, required: ["reason"] },
  },
  {
    name: "revise_deployment",
    description:
      "Replace the spec with a corrected one (the whole spec, same deployment name); it is checked, planned and approved again.",
    inputSchema: {
      type: "object",
      properties: { spec: SPEC_SCHEMA, reason: REASON },
      required: ["spec", "reason"],
    },
  },
  {
    name: "rollback",
    description: "Undo what this run changed, in reverse dependency order.",
    inputSchema: { type: "object", properties: { reason: REASON }, required: ["reason"] },
  },
  {
    name: "abort",
    description: "Stop now and keep the partial result for a person, without rolling back.",
    inputSchema: { type: "object", properties: { reason: REASON }, required: ["reason"] },
  },
];
