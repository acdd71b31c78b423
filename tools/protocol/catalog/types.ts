import type { PropertyMap } from "../schemas.ts";
import type { JsonSchema } from "../type-handler.ts";

/**
 * One catalog type as every provider of it describes it (design §4): the sandbox's mock and the real
 * provider spread the same object, so their schemas cannot drift apart. What a provider does with the
 * type (API calls, simulated outputs) stays with the provider.
 */
export interface CatalogType {
  type: string;
  description: string;
  /** JSON Schema of the properties, with a top-level `examples` array (the second updates the first). */
  properties: JsonSchema;
  outputs: JsonSchema;
  replaceOnChange?: string[];
  secretProperties?: string[];
  stateful?: boolean;
  /** USD per month for these properties, when the platform has a price for them. */
  estimateMonthlyCost?(properties: PropertyMap): number | undefined;
}
