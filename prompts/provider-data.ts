/**
 * Text that comes from providers, memory or validation is data for the model, never instructions.
 * It travels inside `<provider-data>` tags, and the system prompts say so; escaping the tag inside the
 * data keeps a hostile value from closing the wrapper early and speaking outside it.
 */
export const PROVIDER_DATA_TAG = "provider-data";

const TAG_INSIDE = /<(\/?)(provider-data)/gi;
const SOURCE = /^[a-z][a-z0-9_:-]*$/;

export function escapeProviderData(text: string): string {
  return text.replace(TAG_INSIDE, "&lt;$1$2");
}

/** `source` names where the data came from (a tool name); it is ours, never provider text. */
export function wrapProviderData(text: string, source: string): string {
  if (!SOURCE.test(source)) throw new Error(`provider-data source "${source}" must be a plain tool name`);
  return `<${PROVIDER_DATA_TAG} source="${source}">\n${escapeProviderData(text)}\n</${PROVIDER_DATA_TAG}>`;
}
