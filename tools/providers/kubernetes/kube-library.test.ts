import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kubeLibraryIfLoaded } from "./kube-library.ts";
import { createKubernetesProvider } from "./provider.ts";

describe("the Kubernetes provider loads @kubernetes/client-node on first use", () => {
  it("describes and validates without it, and loads it for the first call that needs the cluster", async () => {
    // An empty kubeconfig: the first call that needs the cluster fails, after loading the library.
    const file = join(mkdtempSync(join(tmpdir(), "kube-lazy-")), "config");
    writeFileSync(file, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
      const { tools } = createKubernetesProvider({ env: { KUBE_CONTEXT: "nope" } });
      const described = await tools.describeResourceTypes({});
      expect(described.types.map((info) => info.type)).toContain("kubernetes:apps:deployment");
      const checked = await tools.validateConfig({
        resources: [{ type: "kubernetes:core:configmap", name: "cm", properties: { data: { a: "b" } } }],
      });
      expect(checked.issues).toEqual([]);
      expect(kubeLibraryIfLoaded()).toBeUndefined();
      await expect(tools.listResources({})).rejects.toMatchObject({
        message: expect.stringContaining('KUBE_CONTEXT names context "nope"'),
      });
      expect(kubeLibraryIfLoaded()?.KubeConfig).toBeTypeOf("function");
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });
});
