import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { AGENT, type AgentRun, json } from "../e2e/harness.ts";
import { KubeEmulator, startEmulator } from "./emulator/server.ts";

/**
 * The real binary against two emulated clusters: `kubernetes` (context prod) and `staging` mounts of
 * the built-in provider in one deployment, driven by `agent apply -f`, changed behind its back with
 * kubectl, rolled back after a rollout that never becomes ready, destroyed to nothing.
 */
const dir = mkdtempSync(join(tmpdir(), "mcp-iac-kube-e2e-"));
const kubectlFound = (await execa("kubectl", ["version", "--client"], { reject: false })).exitCode === 0;
let prod: KubeEmulator;
let staging: KubeEmulator;
let kubeconfig: string;

function spec(options: { image?: string; forceConflicts?: boolean; timeoutSeconds?: number } = {}) {
  return {
    apiVersion: "iac.mcp/v1",
    kind: "Deployment",
    metadata: { name: "shop" },
    spec: {
      resources: [
        { type: "kubernetes:core:namespace", name: "shop", properties: { labels: { team: "web" } } },
        {
          type: "kubernetes:core:configmap",
          name: "shop-config",
          properties: {
            namespace: "${shop.name}",
            data: { LOG_LEVEL: "info" },
            ...(options.forceConflicts ? { forceConflicts: true } : {}),
          },
        },
        {
          type: "kubernetes:apps:deployment",
          name: "web",
          properties: {
            namespace: "${shop.name}",
            image: options.image ?? "shop:1.0",
            replicas: 2,
            ports: [8080],
            ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
          },
          dependsOn: ["shop-config"],
        },
        {
          type: "kubernetes:core:service",
          name: "web-svc",
          properties: {
            namespace: "${shop.name}",
            selector: { app: "web" },
            ports: [{ port: 80, targetPort: 8080 }],
          },
        },
        {
          type: "kubernetes:networking.k8s.io/v1:Ingress",
          name: "web-ingress",
          properties: {
            metadata: { namespace: "${shop.name}" },
            spec: {
              rules: [
                {
                  host: "shop.example.test",
                  http: {
                    paths: [
                      {
                        path: "/",
                        pathType: "Prefix",
                        backend: { service: { name: "${web-svc.name}", port: { number: 80 } } },
                      },
                    ],
                  },
                },
              ],
            },
          },
        },
        { type: "staging:core:configmap", name: "staging-config", properties: { data: { ENV: "staging" } } },
      ],
    },
  };
}

/** The real binary, as the e2e harness runs it, with room for a loaded machine (each run starts two providers). */
async function agent(args: string[], cwd: string): Promise<AgentRun> {
  const result = await execa(process.execPath, [AGENT, ...args], {
    cwd,
    env: { NO_COLOR: "1" },
    reject: false,
    stdin: "ignore",
    timeout: 600_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const write = (content: unknown) => writeFileSync(join(dir, "shop.yaml"), stringify(content));

async function kubectl(context: string, args: string[]) {
  const result = await execa("kubectl", ["--kubeconfig", kubeconfig, "--context", context, ...args], {
    reject: false,
  });
  return { code: result.exitCode, out: String(result.stdout), err: String(result.stderr) };
}

const getJson = async (context: string, args: string[]) =>
  JSON.parse((await kubectl(context, [...args, "-o", "json"])).out);

beforeAll(async () => {
  prod = await startEmulator({ readyDelayMs: 100, deleteDelayMs: 30 });
  staging = await startEmulator({ readyDelayMs: 100, deleteDelayMs: 30 });
  kubeconfig = KubeEmulator.writeKubeconfig(join(dir, "kubeconfig"), [
    { name: "prod", emulator: prod },
    { name: "staging", emulator: staging },
  ]);
  const env = { KUBECONFIG: kubeconfig, KUBE_WAIT_TIMEOUT_SECONDS: "30" };
  writeFileSync(
    join(dir, "mcp-iac.config.yaml"),
    stringify({
      mcpServers: {
        kubernetes: { builtin: "kubernetes", env: { ...env, KUBE_CONTEXT: "prod" } },
        staging: { builtin: "kubernetes", env: { ...env, KUBE_CONTEXT: "staging" } },
      },
      policies: [],
    }),
  );
});

afterAll(async () => {
  await prod.close();
  await staging.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!kubectlFound)("agent apply against two emulated clusters", () => {
  // Seven runs of the real binary, each starting two provider processes: generous on a loaded machine.
  it("applies, reports kubectl's drift, rolls back a rollout that never becomes ready, and destroys", {
    timeout: 900_000,
  }, async () => {
    write(spec());
    const applied = await agent(["apply", "-f", "shop.yaml", "--yes", "--json"], dir);
    expect(applied.exitCode, applied.stderr + applied.stdout).toBe(0);
    expect(json<{ report: { outcome: string } }>(applied).report.outcome).toBe("succeeded");

    const web = await getJson("prod", ["get", "deployment", "web", "-n", "shop"]);
    expect(web.status).toMatchObject({ availableReplicas: 2, observedGeneration: 1 });
    expect(web.metadata.labels).toMatchObject({
      "app.kubernetes.io/managed-by": "mcp-iac",
      "mcp-iac/deployment": "shop",
    });
    const ingress = await getJson("prod", ["get", "ingress", "web-ingress", "-n", "shop"]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe("web-svc");
    expect((await getJson("staging", ["get", "configmap", "staging-config"])).data).toEqual({
      ENV: "staging",
    });
    expect((await kubectl("staging", ["get", "namespace", "shop"])).code).toBe(1);

    const replan = await agent(["plan", "-f", "shop.yaml"], dir);
    expect(replan.stdout, replan.stderr).toContain("No changes.");

    // A person changes a field mcp-iac owns, with kubectl.
    const patched = await kubectl("prod", [
      "patch",
      "configmap",
      "shop-config",
      "-n",
      "shop",
      "--type",
      "merge",
      "-p",
      '{"data":{"LOG_LEVEL":"debug"}}',
    ]);
    expect(patched.code, patched.err).toBe(0);
    const refresh = await agent(["refresh", "shop", "--json"], dir);
    const drift = json<{ drift: { name: string; kind: string; paths: string[] }[] }>(refresh).drift;
    expect(drift).toContainEqual(
      expect.objectContaining({ name: "shop-config", kind: "changed", paths: ["data"] }),
    );

    const conflict = await agent(["plan", "-f", "shop.yaml"], dir);
    expect(conflict.exitCode).not.toBe(0);
    expect(conflict.stdout + conflict.stderr).toContain('.data.LOG_LEVEL is owned by "kubectl-patch"');

    write(spec({ forceConflicts: true }));
    const forced = await agent(["apply", "-f", "shop.yaml", "--yes"], dir);
    expect(forced.exitCode, forced.stderr + forced.stdout).toBe(0);
    expect(forced.stdout).toMatch(/data\.LOG_LEVEL\s+= "debug" -> "info"/);
    expect((await getJson("prod", ["get", "configmap", "shop-config", "-n", "shop"])).data.LOG_LEVEL).toBe(
      "info",
    );

    // A rollout that never becomes available fails the change and is rolled back.
    prod.cluster.neverReady.add("shop:2.0");
    write(spec({ forceConflicts: true, image: "shop:2.0", timeoutSeconds: 2 }));
    const broken = await agent(["apply", "-f", "shop.yaml", "--yes"], dir);
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout + broken.stderr).toContain("1 unavailable");
    expect(broken.stdout + broken.stderr).toContain("the previous spec was restored and is available");
    const restored = await getJson("prod", ["get", "deployment", "web", "-n", "shop"]);
    expect(restored.spec.template.spec.containers[0].image).toBe("shop:1.0");
    expect(restored.status.availableReplicas).toBe(2);

    const destroyed = await agent(["destroy", "shop", "--yes"], dir);
    expect(destroyed.exitCode, destroyed.stderr + destroyed.stdout).toBe(0);
    expect((await kubectl("prod", ["get", "namespace", "shop"])).err).toContain(
      'namespaces "shop" not found',
    );
    expect((await kubectl("staging", ["get", "configmap", "staging-config"])).err).toContain("not found");
    const leftovers = await getJson("prod", [
      "get",
      "configmaps",
      "-A",
      "-l",
      "app.kubernetes.io/managed-by=mcp-iac",
    ]);
    expect(leftovers.items).toEqual([]);
  });
});
