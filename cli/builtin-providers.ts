import type { ServeOptions } from "../tools/protocol/index.ts";

/** The providers of this installation, `agent provider NAME` and `{ builtin: NAME }`; each loads only its own code. */
export const BUILTIN_PROVIDERS: Record<
  string,
  () => Promise<{ main(options?: ServeOptions): Promise<void> }>
> = {
  mock: () => import("../tools/providers/mock/server.ts"),
  docker: () => import("../tools/providers/docker/server.ts"),
  local: () => import("../tools/providers/local/server.ts"),
  opnsense: () => import("../tools/providers/opnsense/server.ts"),
  kubernetes: () => import("../tools/providers/kubernetes/server.ts"),
  aws: () => import("../tools/providers/aws/server.ts"),
};
