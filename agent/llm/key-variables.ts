/** The environment variables holding each provider's key: here, so choosing a model needs no SDK. */
export const ANTHROPIC_KEY_VARIABLE = "ANTHROPIC_API_KEY";
export const OPENAI_KEY_VARIABLE = "OPENAI_API_KEY";
