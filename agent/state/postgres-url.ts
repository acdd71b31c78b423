import { StateError } from "./errors.ts";

/**
 * `postgres://user@host:port/db` for humans and error messages: never the password, nor the query
 * string (it may hold `password=` or key file paths).
 */
export function describePostgresUrl(connectionString: string): string {
  const url = parsePostgresUrl(connectionString);
  const user = url.username ? `${decodeURIComponent(url.username)}@` : "";
  const socket = url.searchParams.get("host");
  const host = url.hostname ? decodeURIComponent(url.hostname) : (socket ?? "localhost");
  const port = url.port || "5432";
  const database =
    decodeURIComponent(url.pathname.slice(1)) || (url.username ? decodeURIComponent(url.username) : "");
  return `postgres://${user}${host}:${port}/${database}`;
}

function parsePostgresUrl(connectionString: string): URL {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw invalid("it is not a URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw invalid(`it starts with ${url.protocol}// instead of postgres:// or postgresql://`);
  }
  return url;
}

function invalid(why: string): StateError {
  // The string itself is not repeated: it may carry a password.
  return new StateError(
    "STATE_CONFIG_INVALID",
    `the PostgreSQL state backend connection string is not valid: ${why}`,
    {
      exitCode: 2,
      hint: 'use state: { backend: "postgres://USER@HOST:PORT/DATABASE" } (the password from PGPASSWORD or ~/.pgpass)',
    },
  );
}
