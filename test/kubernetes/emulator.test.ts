import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KubeEmulator, startEmulator } from "./emulator/server.ts";

const kubectlFound = await execa("kubectl", ["version", "--client"], { reject: false });
const dir = mkdtempSync(join(tmpdir(), "mcp-iac-kubeemu-"));
let emulator: KubeEmulator;
let kubeconfig: string;

async function kubectl(args: string[], input?: string) {
  const result = await execa("kubectl", ["--kubeconfig", kubeconfig, ...args], {
    reject: false,
    ...(input === undefined ? {} : { input }),
  });
  return { code: result.exitCode, out: String(result.stdout), err: String(result.stderr) };
}

async function api(method: string, path: string, body?: unknown, contentType = "application/json") {
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { "Content-Type": contentType },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read deep into API objects
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error("condition never held");
};

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: app
          image: web:1.0
          ports: [{ containerPort: 8080 }]
`;

beforeAll(async () => {
  emulator = await startEmulator({ readyDelayMs: 50, deleteDelayMs: 20 });
  kubeconfig = KubeEmulator.writeKubeconfig(join(dir, "kubeconfig"), [{ name: "emu", emulator }]);
});

afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(kubectlFound.exitCode !== 0)("kubectl drives the emulator", () => {
  it("applies server-side, gets, diffs against a dry run and deletes", async () => {
    writeFileSync(join(dir, "web.yaml"), DEPLOYMENT);
    const applied = await kubectl([
      "apply",
      "--server-side",
      "--validate=false",
      "-f",
      join(dir, "web.yaml"),
    ]);
    expect(applied.err).toBe("");
    expect(applied.out).toContain("deployment.apps/web serverside-applied");
    const got = await kubectl(["get", "deployment", "web", "-o", "json", "--show-managed-fields"]);
    const live = JSON.parse(got.out);
    expect(live.spec.template.spec.containers[0].imagePullPolicy).toBe("IfNotPresent");
    expect(live.metadata.managedFields[0]).toMatchObject({ manager: "kubectl", operation: "Apply" });

    const same = await kubectl(["diff", "--server-side", "-f", join(dir, "web.yaml")]);
    expect(same.code).toBe(0);
    writeFileSync(join(dir, "web.yaml"), DEPLOYMENT.replace("web:1.0", "web:1.1"));
    const changed = await kubectl(["diff", "--server-side", "-f", join(dir, "web.yaml")]);
    expect(changed.code).toBe(1);
    expect(changed.out).toContain("+      - image: web:1.1");
    expect(
      (
        await kubectl([
          "get",
          "deployment",
          "web",
          "-o",
          "jsonpath={.spec.template.spec.containers[0].image}",
        ])
      ).out,
    ).toBe("web:1.0");

    const deleted = await kubectl(["delete", "-f", join(dir, "web.yaml")]);
    expect(deleted.out).toContain('deployment.apps "web" deleted');
    expect((await kubectl(["get", "deployment", "web"])).err).toContain('deployments.apps "web" not found');
  });

  it("reports a conflict between two field managers, and --force-conflicts takes the field", async () => {
    writeFileSync(
      join(dir, "cm.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared }\ndata: { level: info }\n",
    );
    expect(
      (await kubectl(["apply", "--server-side", "--validate=false", "-f", join(dir, "cm.yaml")])).code,
    ).toBe(0);
    writeFileSync(
      join(dir, "cm2.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: shared }\ndata: { level: debug }\n",
    );
    const other = [
      "apply",
      "--server-side",
      "--validate=false",
      "--field-manager=ops",
      "-f",
      join(dir, "cm2.yaml"),
    ];
    const conflict = await kubectl(other);
    expect(conflict.code).toBe(1);
    expect(conflict.err).toContain('Apply failed with 1 conflict: conflict with "kubectl": .data.level');
    const forced = await kubectl([...other, "--force-conflicts"]);
    expect(forced.code).toBe(0);
    const live = JSON.parse(
      (await kubectl(["get", "configmap", "shared", "-o", "json", "--show-managed-fields"])).out,
    );
    expect(live.data.level).toBe("debug");
    const owners = live.metadata.managedFields.map((entry: { manager: string }) => entry.manager);
    expect(owners).toEqual(["ops"]);
  });
});

describe("the emulator's API semantics", () => {
  const cmPath = "/api/v1/namespaces/default/configmaps";

  it("dry-run applies persist nothing; a no-op apply keeps the resourceVersion", async () => {
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dry" }, data: { a: "1" } };
    const apply = (query: string) =>
      api("PATCH", `${cmPath}/dry?fieldManager=t${query}`, body, "application/apply-patch+yaml");
    expect((await apply("&dryRun=All")).status).toBe(201);
    expect((await api("GET", `${cmPath}/dry`)).status).toBe(404);
    const first = await apply("");
    const second = await apply("");
    expect(second.status).toBe(200);
    expect(second.body.metadata.resourceVersion).toBe(first.body.metadata.resourceVersion);
  });

  it("removes a field its manager stops applying, unless another manager owns it", async () => {
    const apply = (data: Record<string, string>, manager: string) =>
      api(
        "PATCH",
        `${cmPath}/prune?fieldManager=${manager}`,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "prune" }, data },
        "application/apply-patch+yaml",
      );
    await apply({ a: "1", b: "2" }, "one");
    await apply({ b: "2" }, "two");
    const after = await apply({}, "one");
    expect(after.body.data).toEqual({ b: "2" });
  });

  it("merge and JSON patches take ownership without conflict", async () => {
    await api(
      "PATCH",
      `${cmPath}/patched?fieldManager=a`,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "patched" }, data: { x: "1" } },
      "application/apply-patch+yaml",
    );
    const merged = await api(
      "PATCH",
      `${cmPath}/patched?fieldManager=m`,
      { data: { x: "2" } },
      "application/merge-patch+json",
    );
    expect(merged.body.data.x).toBe("2");
    const patched = await api(
      "PATCH",
      `${cmPath}/patched`,
      [{ op: "add", path: "/data/y", value: "3" }],
      "application/json-patch+json",
    );
    expect(patched.body.data).toEqual({ x: "2", y: "3" });
    const managers = patched.body.metadata.managedFields.map(
      (entry: { manager: string; operation: string }) => `${entry.manager}/${entry.operation}`,
    );
    expect(managers).toContain("m/Update");
    expect(managers).not.toContain("a/Apply");
  });

  it("answers 422 naming each invalid field and 409 for an existing name", async () => {
    const bad = await api("POST", "/apis/apps/v1/namespaces/default/deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "Bad_Name" },
      spec: {
        selector: { matchLabels: { app: "x" } },
        template: { metadata: { labels: { app: "y" } }, spec: { containers: [{ name: "c" }] } },
      },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe("Invalid");
    const fields = bad.body.details.causes.map((cause: { field: string }) => cause.field);
    expect(fields).toEqual([
      "metadata.name",
      "spec.template.metadata.labels",
      "spec.template.spec.containers[0].image",
    ]);
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "twice" } };
    expect((await api("POST", cmPath, cm)).status).toBe(201);
    const again = await api("POST", cmPath, cm);
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe("AlreadyExists");
  });

  it("keeps a Service's clusterIP immutable and a Deployment's status available after a delay", async () => {
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "svc" },
      spec: { ports: [{ port: 80 }] },
    };
    const created = await api(
      "PATCH",
      "/api/v1/namespaces/default/services/svc?fieldManager=t",
      svc,
      "application/apply-patch+yaml",
    );
    expect(created.body.spec.clusterIP).toMatch(/^10\.96\./);
    const moved = await api(
      "PATCH",
      "/api/v1/namespaces/default/services/svc?fieldManager=t",
      { ...svc, spec: { ...svc.spec, clusterIP: "10.96.9.9" } },
      "application/apply-patch+yaml",
    );
    expect(moved.status).toBe(422);
    expect(moved.body.details.causes[0].field).toBe("spec.clusterIP");

    emulator.cluster.neverReady.add("stuck:1");
    const deployment = (image: string) => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: `d-${image.replace(":", "-")}` },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "d" } },
        template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image }] } },
      },
    });
    for (const image of ["ok:1", "stuck:1"]) {
      const body = deployment(image);
      await api(
        "PATCH",
        `/apis/apps/v1/namespaces/default/deployments/${body.metadata.name}?fieldManager=t`,
        body,
        "application/apply-patch+yaml",
      );
    }
    await until(
      async () =>
        (await api("GET", "/apis/apps/v1/namespaces/default/deployments/d-ok-1")).body.status
          .availableReplicas === 2,
    );
    await new Promise((done) => setTimeout(done, 150));
    const stuck = await api("GET", "/apis/apps/v1/namespaces/default/deployments/d-stuck-1");
    expect(stuck.body.status).toMatchObject({ availableReplicas: 1, unavailableReplicas: 1 });
  });

  it("deletes in the foreground through a finalizer and terminates a namespace with its contents", async () => {
    await api("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "gone" },
    });
    await api("POST", "/api/v1/namespaces/gone/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "inside" },
    });
    const foreground = await api("DELETE", "/api/v1/namespaces/gone/configmaps/inside", {
      propagationPolicy: "Foreground",
    });
    expect(foreground.body.metadata.finalizers).toContain("foregroundDeletion");
    await until(async () => (await api("GET", "/api/v1/namespaces/gone/configmaps/inside")).status === 404);
    await api("POST", "/api/v1/namespaces/gone/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "second" },
    });
    const ns = await api("DELETE", "/api/v1/namespaces/gone");
    expect(ns.body.status.phase).toBe("Terminating");
    const refused = await api("POST", "/api/v1/namespaces/gone/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "late" },
    });
    expect(refused.status).toBe(403);
    await until(async () => (await api("GET", "/api/v1/namespaces/gone")).status === 404);
    expect((await api("GET", "/api/v1/namespaces/gone/configmaps/second")).status).toBe(404);
  });

  it("serves a custom resource once its definition is stored", async () => {
    expect((await api("GET", "/apis/example.com/v1")).status).toBe(404);
    await api("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { kind: "Widget", plural: "widgets" },
        versions: [{ name: "v1", served: true, storage: true }],
      },
    });
    const discovery = await api("GET", "/apis/example.com/v1");
    expect(discovery.body.resources[0]).toMatchObject({ name: "widgets", kind: "Widget", namespaced: true });
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 3 },
    };
    const created = await api(
      "PATCH",
      "/apis/example.com/v1/namespaces/default/widgets/w?fieldManager=t",
      widget,
      "application/apply-patch+yaml",
    );
    expect(created.status).toBe(201);
    expect(created.body.metadata.generation).toBe(1);
  });
});
