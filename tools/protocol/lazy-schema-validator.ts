import type { JsonSchemaType, jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";

/**
 * The MCP SDK's JSON Schema validator, built on its first use. The SDK builds one in every Client and
 * Server it constructs (an Ajv with all of ajv-formats, ~10 ms of CPU each), yet our servers declare no
 * output schemas and ask for no elicitations, and our clients meet output schemas only from some
 * third-party servers: a plan of three providers paid for four of them and used none.
 */
export class LazySchemaValidator implements jsonSchemaValidator {
  #inner: AjvJsonSchemaValidator | undefined;

  get built(): boolean {
    return this.#inner !== undefined;
  }

  getValidator<T>(schema: JsonSchemaType) {
    this.#inner ??= new AjvJsonSchemaValidator();
    return this.#inner.getValidator<T>(schema);
  }
}
