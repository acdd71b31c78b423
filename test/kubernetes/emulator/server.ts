import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { stringify } from "yaml";
import { Cluster, type ClusterOptions } from "./cluster.ts";
import { isObject, type JsonObject } from "./fields.ts";
import { ApiError, groupVersion, type KindInfo, statusBody } from "./kinds.ts";
import { updateByManager } from "./managers.ts";
import { jsonPatch, mergePatch, PatchError } from "./patches.ts";
import {
  badRequest,
  discoveryDocument,
  managerOf,
  matchesFields,
  matchesLabels,
  parseJson,
  readBody,
  serverSideApply,
  staleConflict,
} from "./requests.ts";

/** A request the emulator answers with a failure instead, for error-mapping tests. */
export interface Fault {
  method?: string;
  pathIncludes?: string;
  code: number;
  reason: string;
  message?: string;
  times: number;
}

interface Route {
  info: KindInfo;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

/** A loopback Kubernetes API server: the verbs, discovery and server-side apply kubectl and client-node use. */
export class KubeEmulator {
  readonly cluster: Cluster;
  readonly faults: Fault[] = [];
  /** Every request as `METHOD path?query`, for tests that pin what went over the wire. */
  readonly requests: string[] = [];
  readonly token: string;
  private server: Server | undefined;
  url = "";

  constructor(options: ClusterOptions & { token?: string } = {}) {
    this.cluster = new Cluster(options);
    this.token = options.token ?? "emulator-token";
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        const failure =
          error instanceof ApiError
            ? error
            : new ApiError(500, "InternalError", `Internal error occurred: ${(error as Error).message}`);
        this.send(response, failure.code, failure.body);
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, "127.0.0.1", done));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.cluster.close();
    this.server?.closeAllConnections();
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  /** A kubeconfig with one context per emulator (its name), the first current. */
  static writeKubeconfig(path: string, contexts: { name: string; emulator: KubeEmulator }[]): string {
    const config = {
      apiVersion: "v1",
      kind: "Config",
      clusters: contexts.map(({ name, emulator }) => ({
        name,
        cluster: { server: emulator.url, "insecure-skip-tls-verify": true },
      })),
      users: contexts.map(({ name, emulator }) => ({ name, user: { token: emulator.token } })),
      contexts: contexts.map(({ name }) => ({
        name,
        context: { cluster: name, user: name, namespace: "default" },
      })),
      "current-context": contexts[0]?.name ?? "",
    };
    writeFileSync(path, stringify(config));
    return path;
  }

  private send(response: ServerResponse, code: number, body: unknown): void {
    response.writeHead(code, { "Content-Type": "application/json" });
    response.end(JSON.stringify(body));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    const fault = this.faults.find(
      (item) =>
        item.times > 0 &&
        (!item.method || item.method === method) &&
        (!item.pathIncludes || url.pathname.includes(item.pathIncludes)),
    );
    if (fault) {
      fault.times--;
      return this.send(
        response,
        fault.code,
        statusBody(fault.code, fault.reason, fault.message ?? fault.reason),
      );
    }
    // kubectl sends no credentials over plain http; a wrong token is still refused.
    const auth = request.headers.authorization;
    if (auth !== undefined && auth !== `Bearer ${this.token}`)
      throw new ApiError(401, "Unauthorized", "Unauthorized");
    const path = url.pathname.replace(/\/+$/, "");
    const fixed = discoveryDocument(path, this.cluster.kinds, this.url);
    if (fixed) return this.send(response, 200, fixed);
    const route = this.route(path);
    const body = method === "GET" || method === "HEAD" ? "" : await readBody(request);
    const { code, answer } = this.serve(method, route, url.searchParams, request, body);
    this.send(response, code, answer);
  }

  private route(path: string): Route {
    const core = /^\/api\/(v1)\/(.*)$/.exec(path);
    const grouped = /^\/apis\/([^/]+)\/([^/]+)\/(.*)$/.exec(path);
    const [group, version, rest] = core
      ? ["", core[1]!, core[2]!]
      : grouped
        ? [grouped[1]!, grouped[2]!, grouped[3]!]
        : [];
    const unknown = new ApiError(404, "NotFound", "the server could not find the requested resource");
    if (group === undefined || version === undefined || rest === undefined) throw unknown;
    const parts = rest.split("/").map(decodeURIComponent);
    const namespaced =
      parts[0] === "namespaces" && parts.length >= 3
        ? this.cluster.info(group, parts[2]!, version)
        : undefined;
    if (namespaced?.namespaced)
      return { info: namespaced, namespace: parts[1], name: parts[3], subresource: parts[4] };
    const info = this.cluster.info(group, parts[0] ?? "", version);
    if (!info) throw unknown;
    return { info, namespace: undefined, name: parts[1], subresource: parts[2] };
  }

  private serve(
    method: string,
    route: Route,
    query: URLSearchParams,
    request: IncomingMessage,
    body: string,
  ): { code: number; answer: unknown } {
    const { info, name } = route;
    const namespace = route.namespace ?? "";
    const dryRun = query.get("dryRun") === "All";
    if (query.has("dryRun") && !dryRun)
      throw new ApiError(400, "BadRequest", `Invalid dryRun value: ${query.get("dryRun")}`);
    const manager = managerOf(request, query);
    const apiVersion = groupVersion(info);
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
    if (method === "GET" && !name)
      return { code: 200, answer: this.listAnswer(info, route.namespace, query) };
    if (method === "GET" && name) return { code: 200, answer: this.cluster.get(info, namespace, name) };
    if (method === "POST" && !name) {
      const object = parseJson(body);
      if (!isObject(object)) throw badRequest("the body must be an object");
      const objectName = isObject(object["metadata"]) ? String(object["metadata"]["name"] ?? "") : "";
      if (objectName && this.cluster.find(info, namespace, objectName))
        throw new ApiError(
          409,
          "AlreadyExists",
          `${info.group ? `${info.plural}.${info.group}` : info.plural} "${objectName}" already exists`,
          {
            name: objectName,
            ...(info.group ? { group: info.group } : {}),
            kind: info.plural,
          },
        );
      const owned = updateByManager(undefined, object, { manager, apiVersion, now: stamp });
      const result = this.cluster.write(info, namespace, objectName, undefined, owned, { dryRun });
      return { code: 201, answer: result.object };
    }
    if (!name)
      throw new ApiError(
        405,
        "MethodNotAllowed",
        `the server does not allow this method on the requested resource`,
      );
    if (method === "PUT")
      return this.put(route, namespace, name, body, { manager, apiVersion, stamp, dryRun });
    if (method === "PATCH") {
      const type = String(request.headers["content-type"] ?? "")
        .split(";")[0]!
        .trim();
      return this.patch(route, namespace, name, type, body, query, { manager, apiVersion, stamp, dryRun });
    }
    if (method === "DELETE") {
      const options = body.trim() ? parseJson(body) : {};
      const opts = isObject(options) ? options : {};
      const policy = String(opts["propagationPolicy"] ?? query.get("propagationPolicy") ?? "") || undefined;
      const deleted = this.cluster.delete(info, namespace, name, {
        dryRun: dryRun || (Array.isArray(opts["dryRun"]) && opts["dryRun"].includes("All")),
        ...(policy ? { propagationPolicy: policy } : {}),
        ...(isObject(opts["preconditions"]) ? { preconditions: opts["preconditions"] } : {}),
      });
      if (deleted.object) return { code: 200, answer: deleted.object };
      return {
        code: 200,
        answer: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          details: { name, ...(info.group ? { group: info.group } : {}), kind: info.plural },
        },
      };
    }
    throw new ApiError(
      405,
      "MethodNotAllowed",
      "the server does not allow this method on the requested resource",
    );
  }

  private listAnswer(info: KindInfo, namespace: string | undefined, query: URLSearchParams): JsonObject {
    if (query.get("watch") === "true" || query.get("watch") === "1")
      throw new ApiError(405, "MethodNotAllowed", "watch is not supported by this emulator");
    const labels = query.get("labelSelector") ?? "";
    const fields = query.get("fieldSelector") ?? "";
    const items = this.cluster
      .list(info, namespace)
      .filter((item) => matchesLabels(item, labels) && matchesFields(item, fields));
    return {
      kind: `${info.kind}List`,
      apiVersion: groupVersion(info),
      metadata: { resourceVersion: this.cluster.resourceVersion },
      items,
    };
  }

  private put(
    route: Route,
    namespace: string,
    name: string,
    body: string,
    context: { manager: string; apiVersion: string; stamp: string; dryRun: boolean },
  ): { code: number; answer: unknown } {
    const object = parseJson(body);
    if (!isObject(object)) throw badRequest("the body must be an object");
    const old = this.cluster.get(route.info, namespace, name);
    const sent = isObject(object["metadata"]) ? object["metadata"]["resourceVersion"] : undefined;
    const live = isObject(old["metadata"]) ? old["metadata"]["resourceVersion"] : undefined;
    if (sent !== undefined && sent !== live) throw staleConflict(route.info, name);
    const { managedFields: _ignored, ...meta } = isObject(object["metadata"]) ? object["metadata"] : {};
    const oldMeta = isObject(old["metadata"]) ? old["metadata"] : {};
    const next = { ...object, metadata: { ...meta, managedFields: oldMeta["managedFields"] ?? [] } };
    const owned = updateByManager(old, next, {
      manager: context.manager,
      apiVersion: context.apiVersion,
      now: context.stamp,
      ...(route.subresource ? { subresource: route.subresource } : {}),
    });
    const result = this.cluster.write(route.info, namespace, name, old, owned, {
      dryRun: context.dryRun,
      subresource: route.subresource,
    });
    return { code: 200, answer: result.object };
  }

  private patch(
    route: Route,
    namespace: string,
    name: string,
    type: string,
    body: string,
    query: URLSearchParams,
    context: { manager: string; apiVersion: string; stamp: string; dryRun: boolean },
  ): { code: number; answer: unknown } {
    const { info } = route;
    const force = query.get("force") === "true";
    if (type === "application/apply-patch+yaml")
      return serverSideApply(this.cluster, route, namespace, name, body, query, context);
    if (query.has("force"))
      throw new ApiError(
        422,
        "Invalid",
        `PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch`,
        {
          group: "meta.k8s.io",
          kind: "PatchOptions",
          causes: [
            {
              reason: "FieldValueForbidden",
              message: "Forbidden: may not be specified for non-apply patch",
              field: "force",
            },
          ],
        },
      );
    void force;
    const old = this.cluster.get(info, namespace, name);
    const patchBody = parseJson(body);
    let next: JsonObject;
    try {
      if (type === "application/json-patch+json") next = jsonPatch(old, patchBody);
      else if (type === "application/merge-patch+json" || type === "application/strategic-merge-patch+json")
        next = mergePatch(old, patchBody) as JsonObject;
      else
        throw new ApiError(
          415,
          "UnsupportedMediaType",
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
        );
    } catch (error) {
      if (error instanceof PatchError) throw new ApiError(422, "Invalid", error.message);
      throw error;
    }
    const owned = updateByManager(old, next, {
      manager: context.manager,
      apiVersion: context.apiVersion,
      now: context.stamp,
      ...(route.subresource ? { subresource: route.subresource } : {}),
    });
    const result = this.cluster.write(info, namespace, name, old, owned, {
      dryRun: context.dryRun,
      subresource: route.subresource,
    });
    return { code: 200, answer: result.object };
  }
}

export async function startEmulator(
  options: ClusterOptions & { token?: string } = {},
): Promise<KubeEmulator> {
  return new KubeEmulator(options).start();
}
