import type { Blueprint } from "../blueprint.ts";
import { assumed, slug } from "../composition.ts";
import { imageDefaultPort } from "../vocabulary.ts";
import { imageBase, severalImages } from "./container-service.ts";

export const MAX_REPLICAS = 100;
const DEFAULT_REPLICAS = 2;
const DEFAULT_PORT = 8080;

/** A namespace, a Deployment of one image, and a Service in front of it. */
export const kubernetesApp: Blueprint = {
  id: "kubernetes-app",
  description:
    "Kubernetes: a namespace, a Deployment of an image with N replicas, and a Service (ClusterIP or LoadBalancer)",
  keywords: ["kubernetes", "k8s", "pods", "replicas", "namespace", "service"],
  build(composition, intent) {
    const { goal } = composition;
    if (goal.images.length > 1 && !composition.links.builtImage)
      return { missing: severalImages(goal.images) };
    const image = composition.links.builtImage ?? intent.image;
    if (!image) {
      return {
        missing: "a Kubernetes app needs an image, e.g. 'run nginx:1.27 on kubernetes with 3 replicas'",
      };
    }
    const defaults: string[] = [];
    const replicas = goal.count ?? DEFAULT_REPLICAS;
    if (goal.count === undefined) defaults.push(`${DEFAULT_REPLICAS} replicas`);
    if (replicas > MAX_REPLICAS) {
      return { missing: `${replicas} replicas is more than the ${MAX_REPLICAS} this blueprint sets` };
    }
    const containerPort = goal.ports[0]?.port ?? imageDefaultPort(image) ?? DEFAULT_PORT;
    if (goal.ports.length === 0 && imageDefaultPort(image) === undefined)
      defaults.push(`port ${DEFAULT_PORT}`);
    const words = goal.words;
    const type = /\bnode[\s-]?port\b/.test(words)
      ? "NodePort"
      : /\bload[\s-]?balanc\w*\b|\blb\b|\bpublic\w*\b|\bexternal\w*\b|\binternet\b|\bexpose\w*\b/.test(words)
        ? "LoadBalancer"
        : "ClusterIP";
    const servicePort = type === "LoadBalancer" ? 80 : containerPort;
    const namespace = slug(goal.namespace ?? composition.deploymentName, "default")
      .slice(0, 63)
      .replace(/-$/, "");
    if (!goal.namespace) defaults.push(`namespace ${namespace}`);
    const app = slug(imageBase(image), "app");

    const namespaceResource = composition.add({
      type: "kubernetes:core:namespace",
      name: "namespace",
      properties: { name: namespace },
    });
    const deploymentProperties: Record<string, unknown> = {
      namespace: `\${${namespaceResource}.name}`,
      image,
      replicas,
      ports: [containerPort],
      labels: { app },
    };
    if (Object.keys(goal.env).length > 0) deploymentProperties["env"] = { ...goal.env };
    composition.add({
      type: "kubernetes:apps:deployment",
      name: app,
      properties: deploymentProperties,
      ...(composition.links.buildResource ? { dependsOn: [composition.links.buildResource] } : {}),
    });
    composition.add({
      type: "kubernetes:core:service",
      name: `${app}-service`,
      properties: {
        namespace: `\${${namespaceResource}.name}`,
        selector: { app },
        ports: [{ port: servicePort, targetPort: containerPort }],
        type,
      },
    });
    composition.set("image", image);
    composition.set("replicas", replicas);
    composition.set("containerPort", containerPort);
    composition.set("serviceType", type);
    composition.set("servicePort", servicePort);
    composition.set("namespace", namespace);
    if (Object.keys(goal.env).length > 0) composition.set("env", Object.keys(goal.env).join(","));
    assumed(composition, "kubernetes-app", defaults);
    return {
      phrase: `${image} on Kubernetes (${replicas} replica${replicas === 1 ? "" : "s"}, port ${containerPort}, ${type} service on ${servicePort}, namespace ${namespace})`,
    };
  },
};
