import { randomUUID } from "node:crypto";
import { ApiException } from "./errors.ts";
import type { Model, TypeRule } from "./type-rules.ts";

/** Input checks shared by the operations, worded as the service words them. */

export type Input = Record<string, unknown>;

export function requireString(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== "string" || value === "")
    throw new ApiException(
      "ValidationException",
      `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

/** As the live service words it: the handler's NotFound wrapped in a synchronous exception (§7). */
export function notFound(typeName: string, id: string): ApiException {
  return new ApiException(
    "ResourceNotFoundException",
    `${typeName} Handler returned status FAILED: ${id} not found (HandlerErrorCode: NotFound, RequestToken: ${randomUUID()})`,
  );
}

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiException("ValidationException", `${what} is not valid JSON`);
  }
}

/** One page of a listing; NextToken is an opaque offset. */
export function page<T>(items: T[], input: Input, size: number): { items: T[]; NextToken?: string } {
  const start =
    typeof input["NextToken"] === "string" ? Number(Buffer.from(input["NextToken"], "base64").toString()) : 0;
  if (!Number.isInteger(start) || start < 0)
    throw new ApiException("InvalidRequestException", "NextToken is not valid");
  const max = typeof input["MaxResults"] === "number" ? Math.min(size, input["MaxResults"]) : size;
  const slice = items.slice(start, start + max);
  const next =
    start + max < items.length ? { NextToken: Buffer.from(String(start + max)).toString("base64") } : {};
  return { items: slice, ...next };
}

/** Schema checks of a model: no extraneous key, every required one (ValidationException as live). */
export function checkModel(rule: TypeRule, model: unknown): Model {
  if (!model || typeof model !== "object" || Array.isArray(model))
    throw new ApiException("ValidationException", "Model validation failed (#: expected type: JSONObject)");
  const record = model as Model;
  for (const key of Object.keys(record)) {
    if (!rule.properties.includes(key))
      throw new ApiException(
        "ValidationException",
        `Model validation failed (#: extraneous key [${key}] is not permitted)`,
      );
  }
  for (const key of rule.required ?? []) {
    if (record[key] === undefined)
      throw new ApiException(
        "ValidationException",
        `Model validation failed (#: required key [${key}] not found)`,
      );
  }
  return record;
}
