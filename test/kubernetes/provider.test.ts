import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Change, PropertyMap, Resource, StateResource } from "../../tools/protocol/index.ts";
import { createKubernetesProvider } from "../../tools/providers/kubernetes/provider.ts";
import { KubeEmulator, startEmulator } from "./emulator/server.ts";

const dir = mkdtempSync(join(tmpdir(), "mcp-iac-kube-provider-"));
let emulator: KubeEmulator;
let kubeconfig: string;

function provider(env: Record<string, string> = {}) {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return createKubernetesProvider({ kubeConfig: kc, env, pollMs: 20, timeoutMs: 10_000 });
}

type Tools = ReturnType<typeof provider>["tools"];

async function plan(
  tools: Tools,
  deploymentId: string,
  resources: Resource[],
  current: StateResource[] = [],
) {
  return (await tools.planDeployment({ deploymentId, resources, current })).changes;
}

async function apply(tools: Tools, deploymentId: string, changes: Change[]) {
  return (await tools.applyDeployment({ deploymentId, changes })).results;
}

/** Plans and applies one resource; its state entry as the engine would record it. */
async function converge(tools: Tools, deploymentId: string, resource: Resource, current?: StateResource) {
  const [change] = await plan(tools, deploymentId, [resource], current ? [current] : []);
  const [result] = await apply(tools, deploymentId, [change!]);
  expect(result?.status, JSON.stringify(result?.error)).toBe("succeeded");
  return { ...resource, id: result!.id!, outputs: result!.outputs ?? {}, status: "created" } as StateResource;
}

async function raw(
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/apply-patch+yaml",
) {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { "Content-Type": contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const failure = async (work: Promise<unknown> | unknown) => {
  try {
    await work;
  } catch (error) {
    return error as { code: string; message: string; retryable: boolean; details?: unknown };
  }
  throw new Error("expected a failure");
};

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 60, deleteDelayMs: 20 });
  kubeconfig = KubeEmulator.writeKubeconfig(join(dir, "kubeconfig"), [{ name: "emu", emulator }]);
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("server-side apply ownership", () => {
  it("reports a field another manager took as drift, plans a CONFLICT naming it, and forceConflicts takes it back", async () => {
    const { tools } = provider();
    const resource = {
      type: "kubernetes:core:configmap",
      name: "settings",
      properties: { data: { LOG_LEVEL: "info" } },
    };
    const state = await converge(tools, "own", resource);
    const ops = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings" },
      data: { LOG_LEVEL: "debug" },
    };
    const taken = await raw(
      "PATCH",
      "/api/v1/namespaces/default/configmaps/settings?fieldManager=ops&force=true",
      ops,
    );
    expect(taken.status).toBe(200);

    const read = await tools.getResource({ type: resource.type, id: state.id });
    expect(read.properties).toEqual({ data: { LOG_LEVEL: "debug" } });
    const conflict = await failure(plan(tools, "own", [resource], [state]));
    expect(conflict.code).toBe("CONFLICT");
    expect(conflict.message).toContain('.data.LOG_LEVEL is owned by "ops"');
    expect(conflict.message).toContain("forceConflicts: true");

    const forced = { ...resource, properties: { ...resource.properties, forceConflicts: true } };
    const [change] = await plan(tools, "own", [forced], [state]);
    expect(change?.action).toBe("update");
    expect(change?.diff).toContainEqual({
      path: "data.LOG_LEVEL",
      before: "debug",
      after: "info",
      forcesReplacement: false,
    });
    const [result] = await apply(tools, "own", [change!]);
    expect(result?.status).toBe("succeeded");
    const live = await raw("GET", "/api/v1/namespaces/default/configmaps/settings");
    expect(live.body["data"]).toEqual({ LOG_LEVEL: "info" });
    const after = await tools.getResource({ type: resource.type, id: state.id });
    expect(after.properties).toEqual(forced.properties);
  });

  it("plans from the server's dry run: a dropped field goes back to the server's default", async () => {
    const { tools } = provider();
    const resource = {
      type: "kubernetes:apps:deployment",
      name: "api",
      properties: { image: "api:1", replicas: 3 },
    };
    const state = await converge(tools, "dry", resource);
    expect(state.outputs).toMatchObject({ id: "default/api", readyReplicas: 3 });
    const [change] = await plan(tools, "dry", [{ ...resource, properties: { image: "api:2" } }], [state]);
    expect(change?.action).toBe("update");
    expect(change?.diff).toEqual([
      { path: "spec.replicas", before: 3, after: 1, forcesReplacement: false },
      {
        path: "spec.template.spec.containers[0].image",
        before: "api:1",
        after: "api:2",
        forcesReplacement: false,
      },
    ]);
    const live = await raw("GET", "/apis/apps/v1/namespaces/default/deployments/api");
    expect((live.body["spec"] as { replicas: number }).replicas).toBe(3);
  });

  it("replaces instead of updating when an immutable field changes", async () => {
    const { tools } = provider();
    const service = (clusterIP: string) => ({
      type: "kubernetes:v1:Service",
      name: "fixed-ip",
      properties: { spec: { clusterIP, ports: [{ port: 80 }] } },
    });
    const state = await converge(tools, "imm", service("10.96.7.7"));
    expect(state.outputs["clusterIp"]).toBe("10.96.7.7");
    const [change] = await plan(tools, "imm", [service("10.96.7.8")], [state]);
    expect(change?.action).toBe("replace");
    expect(change?.diff).toEqual([
      { path: "spec.clusterIP", before: "10.96.7.7", after: "10.96.7.8", forcesReplacement: true },
    ]);
    const [result] = await apply(tools, "imm", [change!]);
    expect(result?.outputs?.["clusterIp"]).toBe("10.96.7.8");
  });
});

describe("any manifest, readiness and deletion", () => {
  it("keeps a Secret's data and stringData out of every answer, as digests", async () => {
    const { tools } = provider();
    const described = await tools.describeResourceTypes({ types: ["kubernetes:v1:Secret"] });
    expect(described.types[0]?.secretProperties).toEqual(["data", "stringData"]);
    const secret = {
      type: "kubernetes:v1:Secret",
      name: "db-password",
      properties: { stringData: { password: "hunter2-very-secret" } },
    };
    const state = await converge(tools, "sec", secret);
    const stored = await raw("GET", "/api/v1/namespaces/default/secrets/db-password");
    expect(stored.body["data"]).toEqual({ password: Buffer.from("hunter2-very-secret").toString("base64") });
    const answers = JSON.stringify([
      await tools.getResource({ type: secret.type, id: state.id }),
      await tools.listResources({ filter: { deploymentId: "sec" } }),
      // `after` is the desired properties as given; the engine keeps those out of state and logs.
      (
        await plan(
          tools,
          "sec",
          [{ ...secret, properties: { stringData: { password: "changed-secret" } } }],
          [state],
        )
      ).map(({ after: _after, ...change }) => change),
    ]);
    expect(answers).not.toContain("hunter2");
    expect(answers).not.toContain("changed-secret");
    expect(answers).not.toContain(Buffer.from("hunter2-very-secret").toString("base64"));
    const [noop] = await plan(tools, "sec", [secret], [state]);
    expect(noop?.action).toBe("noop");
  });

  it("serves a custom resource found through discovery, and UNSUPPORTED for a kind the cluster lacks", async () => {
    const { tools } = provider();
    const missing = await failure(
      plan(tools, "crd", [{ type: "kubernetes:example.com/v1:Gadget", name: "g", properties: {} }]),
    );
    expect(missing.code).toBe("UNSUPPORTED");
    await converge(tools, "crd", {
      type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
      name: "gadgets",
      properties: {
        metadata: { name: "gadgets.example.com" },
        spec: {
          group: "example.com",
          scope: "Namespaced",
          names: { kind: "Gadget", plural: "gadgets" },
          versions: [{ name: "v1", served: true, storage: true }],
        },
      },
    });
    // A type is resolved once per provider process (the registry caches the answer): a new one sees the CRD.
    const { tools: fresh } = provider();
    const gadget = {
      type: "kubernetes:example.com/v1:Gadget",
      name: "g1",
      properties: { spec: { size: 3 } },
    };
    const state = await converge(fresh, "crd", gadget);
    expect(state.id).toBe("default/g1");
    expect((await fresh.getResource({ type: gadget.type, id: state.id })).properties).toEqual({
      spec: { size: 3 },
    });
    const found = await fresh.describeResourceTypes({ query: "gadget" });
    expect(found.types.map((info) => info.type)).toContain("kubernetes:example.com/v1:Gadget");
  });

  it("fails a rollout that never becomes available with its reason, and restores the previous spec", async () => {
    const { tools } = provider();
    emulator.cluster.neverReady.add("broken:1");
    const deployment = (image: string) => ({
      type: "kubernetes:apps:deployment",
      name: "rollout",
      properties: { image, replicas: 2, timeoutSeconds: 1 },
    });
    const state = await converge(tools, "stuck", deployment("good:1"));
    const [change] = await plan(tools, "stuck", [deployment("broken:1")], [state]);
    const [result] = await apply(tools, "stuck", [change!]);
    expect(result?.status).toBe("failed");
    expect(result?.error?.code).toBe("TIMEOUT");
    expect(result?.error?.message).toContain("deployment default/rollout did not become ready within 1s");
    expect(result?.error?.message).toContain("1 unavailable");
    expect(result?.error?.message).toContain("Deployment does not have minimum availability.");
    expect(result?.error?.message).toContain("the previous spec was restored and is available");
    const live = await raw("GET", "/apis/apps/v1/namespaces/default/deployments/rollout");
    expect(live.body["spec"]).toMatchObject({ template: { spec: { containers: [{ image: "good:1" }] } } });
    expect(live.body["status"]).toMatchObject({ availableReplicas: 2 });
  });

  it("deletes a new workload whose rollout never becomes available", async () => {
    const { tools } = provider();
    const [change] = await plan(tools, "stuck-new", [
      {
        type: "kubernetes:apps:deployment",
        name: "never",
        properties: { image: "broken:1", timeoutSeconds: 1 },
      },
    ]);
    const [result] = await apply(tools, "stuck-new", [change!]);
    expect(result?.error?.message).toContain("the new object was deleted again");
    expect((await raw("GET", "/apis/apps/v1/namespaces/default/deployments/never")).status).toBe(404);
  });

  it("deletes a namespace only once its contents are gone", async () => {
    const { tools } = provider();
    const ns = await converge(tools, "nsdel", {
      type: "kubernetes:core:namespace",
      name: "team-a",
      properties: {},
    });
    await converge(tools, "nsdel", {
      type: "kubernetes:core:configmap",
      name: "inside",
      properties: { namespace: "team-a", data: { a: "1" } },
    });
    const labels = (await raw("GET", "/api/v1/namespaces/team-a")).body["metadata"] as {
      labels: Record<string, string>;
    };
    expect(labels.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "mcp-iac",
      "mcp-iac/deployment": "nsdel",
    });
    const orphaned = await converge(tools, "nsdel", {
      type: "kubernetes:core:configmap",
      name: "orphaning",
      properties: { data: { a: "1" }, propagationPolicy: "Orphan" },
    });
    await tools.destroyDeployment({ deploymentId: "nsdel", resources: [orphaned] });
    expect(emulator.requests).toContainEqual(
      expect.stringMatching(/^DELETE .*configmaps\/orphaning.*propagationPolicy=Orphan/),
    );
    const [result] = (await tools.destroyDeployment({ deploymentId: "nsdel", resources: [ns] })).results;
    expect(result?.status).toBe("succeeded");
    expect(emulator.requests).toContain("DELETE /api/v1/namespaces/team-a?propagationPolicy=Foreground");
    expect((await raw("GET", "/api/v1/namespaces/team-a")).status).toBe(404);
    expect((await raw("GET", "/api/v1/namespaces/team-a/configmaps/inside")).status).toBe(404);
  });

  it("lists its own objects with their names and the rest as unmanaged", async () => {
    const { tools } = provider();
    await converge(tools, "listing", {
      type: "kubernetes:apps/v1:StatefulSet",
      name: "db",
      properties: {
        spec: {
          serviceName: "db",
          selector: { matchLabels: { app: "db" } },
          template: {
            metadata: { labels: { app: "db" } },
            spec: { containers: [{ name: "db", image: "pg:16" }] },
          },
        },
      },
    });
    const ours = (await tools.getDeploymentState({ deploymentId: "listing" })).resources;
    expect(ours.map((entry) => [entry.type, entry.name, entry.id])).toEqual([
      ["kubernetes:apps/v1:StatefulSet", "db", "default/db"],
    ]);
    const services = (await tools.listResources({ filter: { type: "kubernetes:core:service" } })).resources;
    expect(services.find((entry) => entry.id === "default/kubernetes")).toMatchObject({ managed: false });
  });
});

describe("errors, mounts and configuration", () => {
  it("maps Status errors onto the standard codes", async () => {
    const { tools } = provider();
    const get = () => tools.getResource({ type: "kubernetes:core:configmap", id: "default/whatever" });
    const cases: [number, string, string, boolean][] = [
      [401, "Unauthorized", "UNAUTHORIZED", false],
      [403, "Forbidden", "FORBIDDEN", false],
      [429, "TooManyRequests", "THROTTLED", true],
      [500, "InternalError", "UNAVAILABLE", true],
    ];
    for (const [code, reason, expected, retryable] of cases) {
      emulator.faults.push({ method: "GET", pathIncludes: "/configmaps/whatever", code, reason, times: 1 });
      const error = await failure(get());
      expect([error.code, error.retryable], `${code}`).toEqual([expected, retryable]);
    }
    const invalid = await failure(
      plan(tools, "err", [
        {
          type: "kubernetes:apps/v1:Deployment",
          name: "bad",
          properties: {
            spec: {
              selector: { matchLabels: { app: "a" } },
              template: {
                metadata: { labels: { app: "b" } },
                spec: { containers: [{ name: "c", image: "x" }] },
              },
            },
          },
        },
      ]).then(async ([change]) => {
        const [result] = await apply(tools, "err", [change!]);
        throw result?.error;
      }),
    );
    expect(invalid.code).toBe("VALIDATION_FAILED");
    expect(invalid.message).toContain("spec.template.metadata.labels");
  });

  it("serves its types under the prefix it is mounted as", async () => {
    const { tools } = provider({ MCP_IAC_SERVER_NAME: "prod" });
    const described = await tools.describeResourceTypes({});
    expect(described.types.map((info) => info.type)).toContain("prod:apps:deployment");
    const state = await converge(tools, "mounted", {
      type: "prod:v1:ConfigMap",
      name: "mounted-cm",
      properties: { data: { a: "b" } },
    } as PropertyMap as Resource);
    const listed = (await tools.getDeploymentState({ deploymentId: "mounted" })).resources;
    expect(listed.map((entry) => entry.type)).toEqual(["prod:v1:ConfigMap"]);
    expect(state.id).toBe("default/mounted-cm");
  });

  it("names an unknown KUBE_CONTEXT and the contexts there are", async () => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfig;
    try {
      const { tools } = createKubernetesProvider({ env: { KUBE_CONTEXT: "nope" } });
      const error = await failure(tools.listResources({}));
      expect(error.message).toBe(
        'KUBE_CONTEXT names context "nope", which the kubeconfig does not have (it has: emu)',
      );
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});
