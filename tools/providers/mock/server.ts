import { type ServeOptions, serveProvider } from "../../protocol/index.ts";
import { MockConfigError } from "./faults.ts";
import { createMockProvider, type MockProvider } from "./provider.ts";

export { createMockProvider, MOCK_VERSION, type MockProvider, type MockProviderOptions } from "./provider.ts";

/** Serves the mock provider over stdio (`agent provider mock`); the world is compacted on close. */
export async function main(options: ServeOptions = {}): Promise<void> {
  let provider: MockProvider;
  try {
    provider = createMockProvider();
  } catch (error) {
    // A bad MOCK_* setting or an unreadable world is the user's to fix: say what, without a stack.
    const known =
      error instanceof MockConfigError || /the mock world/.test(String((error as Error)?.message));
    process.stderr.write(
      `mock provider: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`,
    );
    process.exit(2);
  }
  process.stderr.write(
    `mock provider '${provider.mountName}': sandbox world ${provider.world.file} (${provider.world.size} resources); nothing real is touched\n`,
  );
  await serveProvider(
    () => provider.server(),
    options,
    () => provider.close(),
  );
}
