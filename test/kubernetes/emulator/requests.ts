import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import type { Cluster } from "./cluster.ts";
import { isObject, type Json, type JsonObject } from "./fields.ts";
import { ApiError, apiGroupList, apiResourceList, type KindInfo } from "./kinds.ts";
import { applyByManager, conflictCauses, conflictMessage } from "./managers.ts";

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw badRequest(`the body of the request was in an unknown format: ${(error as Error).message}`);
  }
}

export function managerOf(request: IncomingMessage, query: URLSearchParams): string {
  const given = query.get("fieldManager");
  if (given) return given;
  return (request.headers["user-agent"] ?? "unknown").split("/")[0] ?? "unknown";
}

/** /version and the discovery documents, or undefined for any other path. */
export function discoveryDocument(path: string, kinds: KindInfo[], url: string): JsonObject | undefined {
  if (path === "/version")
    return {
      major: "1",
      minor: "32",
      gitVersion: "v1.32.0-emulator",
      platform: "linux/amd64",
      goVersion: "go1.23",
    };
  if (path === "/api")
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: url.slice(7) }],
    };
  if (path === "/apis") return apiGroupList(kinds);
  if (path === "/api/v1")
    return apiResourceList(
      "v1",
      kinds.filter((kind) => kind.group === ""),
    );
  const match = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (match) {
    const served = kinds.filter((kind) => kind.group === match[1] && kind.version === match[2]);
    if (served.length === 0)
      throw new ApiError(404, "NotFound", "the server could not find the requested resource");
    return apiResourceList(`${match[1]}/${match[2]}`, served);
  }
  return undefined;
}

/** Server-side apply of a PATCH with application/apply-patch+yaml: checks, ownership, conflicts, write. */
export function serverSideApply(
  cluster: Cluster,
  route: { info: KindInfo },
  namespace: string,
  name: string,
  body: string,
  query: URLSearchParams,
  context: { apiVersion: string; stamp: string; dryRun: boolean },
): { code: number; answer: unknown } {
  const { info } = route;
  const manager = query.get("fieldManager");
  if (!manager)
    throw new ApiError(
      422,
      "Invalid",
      `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`,
      {
        group: "meta.k8s.io",
        kind: "PatchOptions",
        causes: [
          {
            reason: "FieldValueRequired",
            message: "Required value: is required for apply patch",
            field: "fieldManager",
          },
        ],
      },
    );
  let applied: unknown;
  try {
    applied = parseYaml(body);
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
  if (!isObject(applied)) throw badRequest("error decoding YAML: the apply patch must be an object");
  if (applied["apiVersion"] !== context.apiVersion)
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${String(applied["apiVersion"])}, expected: ${context.apiVersion}`,
    );
  if (applied["kind"] !== info.kind)
    throw badRequest(
      `Incorrect kind specified in apply patch. Specified: ${String(applied["kind"])}, expected: ${info.kind}`,
    );
  const meta = isObject(applied["metadata"]) ? applied["metadata"] : {};
  if (meta["managedFields"] !== undefined) throw badRequest("metadata.managedFields must be nil");
  if (meta["name"] !== name)
    throw badRequest(
      `the name of the object (${String(meta["name"])}) does not match the name on the URL (${name})`,
    );
  const old = cluster.find(info, namespace, name);
  const sent = meta["resourceVersion"];
  if (sent !== undefined && old && isObject(old["metadata"]) && sent !== old["metadata"]["resourceVersion"])
    throw staleConflict(info, name);
  const merged = applyByManager(old, applied, {
    manager,
    force: query.get("force") === "true",
    apiVersion: context.apiVersion,
    now: context.stamp,
  });
  if ("conflicts" in merged)
    throw new ApiError(409, "Conflict", conflictMessage(merged.conflicts), {
      causes: conflictCauses(merged.conflicts),
    });
  const result = cluster.write(info, namespace, name, old, merged.object, { dryRun: context.dryRun });
  return { code: result.created ? 201 : 200, answer: result.object };
}

export function staleConflict(info: KindInfo, name: string): ApiError {
  const resource = info.group ? `${info.plural}.${info.group}` : info.plural;
  return new ApiError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, ...(info.group ? { group: info.group } : {}), kind: info.plural },
  );
}

export function matchesLabels(item: JsonObject, selector: string): boolean {
  if (!selector) return true;
  const labels =
    isObject(item["metadata"]) && isObject(item["metadata"]["labels"]) ? item["metadata"]["labels"] : {};
  return selector.split(",").every((term) => {
    const clause = term.trim();
    const not = /^(.+?)!=(.*)$/.exec(clause);
    if (not) return labels[not[1]!] !== not[2];
    const eq = /^(.+?)==?(.*)$/.exec(clause);
    if (eq) return labels[eq[1]!] === eq[2];
    if (clause.startsWith("!")) return labels[clause.slice(1)] === undefined;
    return labels[clause] !== undefined;
  });
}

export function matchesFields(item: JsonObject, selector: string): boolean {
  if (!selector) return true;
  const meta = isObject(item["metadata"]) ? item["metadata"] : {};
  return selector.split(",").every((term) => {
    const match = /^metadata\.(name|namespace)(!=|==?)(.*)$/.exec(term.trim());
    if (!match) return true;
    const value = meta[match[1]!];
    return match[2] === "!=" ? value !== match[3] : value === match[3];
  });
}
