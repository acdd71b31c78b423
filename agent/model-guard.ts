import type { LanguageModel, ModelRequest } from "./llm/types.ts";
import type { SecretScrubber } from "./secrets.ts";

/**
 * Every request to a model passes through the scrubber: whatever the planner, a provider's output
 * or memory put into it, known secret values never leave the process.
 */
export function guardModel(model: LanguageModel, scrubber: SecretScrubber): LanguageModel {
  return {
    provider: model.provider,
    model: model.model,
    generate(request: ModelRequest) {
      const { signal, ...rest } = request;
      const scrubbed = scrubber.scrubDeep(rest);
      return model.generate(signal ? { ...scrubbed, signal } : scrubbed);
    },
  };
}
