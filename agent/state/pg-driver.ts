import { createRequire } from "node:module";
import type * as Pg from "pg";

/** pg (CommonJS) loads only when PostgreSQL is the backend, so file-backed commands never pay for it. */
export function loadPg(): typeof Pg {
  return createRequire(import.meta.url)("pg") as typeof Pg;
}
