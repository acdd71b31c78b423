import type { Ajv } from "ajv";
import type { ResourceTypeInfo } from "../protocol/index.ts";
import { fail, summarize } from "./failure.ts";

/** Both schemas are object schemas that compile; the properties' examples exist and match. */
export function checkSchemas(ajv: Ajv, info: ResourceTypeInfo): void {
  for (const part of ["properties", "outputs"] as const) {
    const schema = info[part];
    if (schema.type !== "object" && typeof schema.properties !== "object") {
      fail(`${part} is not an object schema: ${summarize(schema)}`);
    }
  }
  let validate: ReturnType<Ajv["compile"]>;
  try {
    validate = ajv.compile(info.properties);
    ajv.compile(info.outputs);
  } catch (error) {
    fail(`a schema does not compile: ${(error as Error).message}`);
  }
  const examples = info.properties.examples;
  if (!Array.isArray(examples) || examples.length === 0) fail("properties has no examples");
  examples.forEach((example, index) => {
    if (!example || typeof example !== "object" || Array.isArray(example))
      fail(`examples[${index}] is not an object`);
    if (!validate(example))
      fail(`examples[${index}] does not match the schema: ${ajv.errorsText(validate.errors)}`);
  });
}
