import { deepEqual, isObject, type Json, type JsonObject } from "./fields.ts";
import type { Cause, KindInfo } from "./kinds.ts";

/** What defaulting needs from the cluster. */
export interface DefaultsContext {
  allocateClusterIp(): string;
}

const obj = (parent: JsonObject, key: string): JsonObject => {
  const value = parent[key];
  if (isObject(value)) return value;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
};

function setDefault(target: JsonObject, key: string, value: Json): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function containerDefaults(container: Json): void {
  if (!isObject(container)) return;
  const image = typeof container["image"] === "string" ? container["image"] : "";
  const tag = image.includes("@") ? "digest" : (image.split("/").at(-1)?.split(":")[1] ?? "latest");
  setDefault(container, "imagePullPolicy", tag === "latest" ? "Always" : "IfNotPresent");
  setDefault(container, "terminationMessagePath", "/dev/termination-log");
  setDefault(container, "terminationMessagePolicy", "File");
  setDefault(container, "resources", {});
  if (Array.isArray(container["ports"]))
    for (const port of container["ports"]) if (isObject(port)) setDefault(port, "protocol", "TCP");
}

function podTemplateDefaults(spec: JsonObject): void {
  const template = obj(spec, "template");
  const podSpec = obj(template, "spec");
  setDefault(podSpec, "restartPolicy", "Always");
  setDefault(podSpec, "terminationGracePeriodSeconds", 30);
  setDefault(podSpec, "dnsPolicy", "ClusterFirst");
  setDefault(podSpec, "securityContext", {});
  setDefault(podSpec, "schedulerName", "default-scheduler");
  for (const list of ["containers", "initContainers"]) {
    const containers = podSpec[list];
    if (Array.isArray(containers)) containers.forEach(containerDefaults);
  }
}

/** The API server's defaulting for the kinds it knows, so a dry run shows what the cluster would store. */
export function applyDefaults(info: KindInfo, object: JsonObject, context: DefaultsContext): void {
  const meta = obj(object, "metadata");
  const group = info.group;
  if (group === "" && info.kind === "Namespace") {
    obj(meta, "labels")["kubernetes.io/metadata.name"] = meta["name"] ?? "";
    setDefault(obj(object, "spec"), "finalizers", ["kubernetes"]);
    setDefault(obj(object, "status"), "phase", "Active");
  } else if (info.kind === "Secret" && group === "") {
    setDefault(object, "type", "Opaque");
    const stringData = object["stringData"];
    if (isObject(stringData)) {
      const data = obj(object, "data");
      for (const [key, value] of Object.entries(stringData))
        data[key] = Buffer.from(String(value)).toString("base64");
      delete object["stringData"];
    }
  } else if (info.kind === "Service" && group === "") {
    serviceDefaults(object, context);
  } else if (group === "apps") {
    const spec = obj(object, "spec");
    if (info.kind !== "DaemonSet") setDefault(spec, "replicas", 1);
    setDefault(spec, "revisionHistoryLimit", 10);
    if (info.kind === "Deployment") {
      setDefault(spec, "progressDeadlineSeconds", 600);
      setDefault(spec, "strategy", {
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
      });
    } else if (info.kind === "StatefulSet") {
      setDefault(spec, "podManagementPolicy", "OrderedReady");
      setDefault(spec, "updateStrategy", { type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    } else {
      setDefault(spec, "updateStrategy", {
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      });
    }
    podTemplateDefaults(spec);
  }
}

function serviceDefaults(object: JsonObject, context: DefaultsContext): void {
  const spec = obj(object, "spec");
  setDefault(spec, "type", "ClusterIP");
  setDefault(spec, "sessionAffinity", "None");
  if (spec["type"] !== "ExternalName") {
    setDefault(spec, "clusterIP", context.allocateClusterIp());
    spec["clusterIPs"] = [spec["clusterIP"] as Json];
    setDefault(spec, "ipFamilies", ["IPv4"]);
    setDefault(spec, "ipFamilyPolicy", "SingleStack");
    setDefault(spec, "internalTrafficPolicy", "Cluster");
  }
  if (Array.isArray(spec["ports"]))
    for (const port of spec["ports"]) {
      if (!isObject(port)) continue;
      setDefault(port, "protocol", "TCP");
      setDefault(port, "targetPort", port["port"] ?? null);
    }
  setDefault(object, "status", { loadBalancer: {} });
}

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const required = (field: string): Cause => ({
  reason: "FieldValueRequired",
  field,
  message: "Required value",
});
const badValue = (field: string, value: unknown, why: string): Cause => ({
  reason: "FieldValueInvalid",
  field,
  message: `Invalid value: ${JSON.stringify(value)}: ${why}`,
});

function nameCauses(info: KindInfo, name: string): Cause[] {
  const dnsLabel = info.kind === "Namespace" || info.kind === "Service";
  if (dnsLabel && (!LABEL.test(name) || name.length > 63))
    return [
      badValue(
        "metadata.name",
        name,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ),
    ];
  if (!SUBDOMAIN.test(name) || name.length > 253)
    return [
      badValue(
        "metadata.name",
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    ];
  return [];
}

function workloadCauses(object: JsonObject, old: JsonObject | undefined): Cause[] {
  const causes: Cause[] = [];
  const spec = isObject(object["spec"]) ? object["spec"] : {};
  const selector = spec["selector"];
  if (!isObject(selector)) causes.push(required("spec.selector"));
  const template = isObject(spec["template"]) ? spec["template"] : {};
  const labels = isObject(template["metadata"]) ? (template["metadata"]["labels"] ?? {}) : {};
  const matchLabels = isObject(selector) && isObject(selector["matchLabels"]) ? selector["matchLabels"] : {};
  const matches = Object.entries(matchLabels).every(
    ([key, value]) => isObject(labels) && labels[key] === value,
  );
  if (isObject(selector) && !matches)
    causes.push(
      badValue("spec.template.metadata.labels", labels, "`selector` does not match template `labels`"),
    );
  const podSpec = isObject(template["spec"]) ? template["spec"] : {};
  const containers = Array.isArray(podSpec["containers"]) ? podSpec["containers"] : [];
  if (containers.length === 0) causes.push(required("spec.template.spec.containers"));
  containers.forEach((container, index) => {
    if (!isObject(container)) return;
    if (!container["name"]) causes.push(required(`spec.template.spec.containers[${index}].name`));
    if (!container["image"]) causes.push(required(`spec.template.spec.containers[${index}].image`));
  });
  if (typeof spec["replicas"] === "number" && spec["replicas"] < 0)
    causes.push(badValue("spec.replicas", spec["replicas"], "must be greater than or equal to 0"));
  const oldSpec = old && isObject(old["spec"]) ? old["spec"] : undefined;
  if (oldSpec && !deepEqual(oldSpec["selector"], selector))
    causes.push(badValue("spec.selector", selector, "field is immutable"));
  return causes;
}

function serviceCauses(object: JsonObject, old: JsonObject | undefined): Cause[] {
  const causes: Cause[] = [];
  const spec = isObject(object["spec"]) ? object["spec"] : {};
  const types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
  if (spec["type"] !== undefined && !types.includes(String(spec["type"])))
    causes.push({
      reason: "FieldValueNotSupported",
      field: "spec.type",
      message: `Unsupported value: ${JSON.stringify(spec["type"])}: supported values: ${types.map((t) => `"${t}"`).join(", ")}`,
    });
  const ports = Array.isArray(spec["ports"]) ? spec["ports"] : [];
  if (ports.length === 0 && spec["type"] !== "ExternalName") causes.push(required("spec.ports"));
  ports.forEach((port, index) => {
    const value = isObject(port) ? port["port"] : undefined;
    if (typeof value !== "number" || value < 1 || value > 65535)
      causes.push(
        badValue(`spec.ports[${index}].port`, value ?? null, "must be between 1 and 65535, inclusive"),
      );
  });
  const oldIp = old && isObject(old["spec"]) ? old["spec"]["clusterIP"] : undefined;
  if (oldIp !== undefined && spec["clusterIP"] !== undefined && spec["clusterIP"] !== oldIp)
    causes.push(badValue("spec.clusterIP", spec["clusterIP"], "field is immutable"));
  return causes;
}

function dataCauses(info: KindInfo, object: JsonObject): Cause[] {
  const data = object["data"];
  if (!isObject(data)) return [];
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== "string") causes.push(badValue(`data[${key}]`, value, "must be a string"));
    else if (info.kind === "Secret" && !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
      causes.push(badValue(`data[${key}]`, "<secret>", "illegal base64 data"));
  }
  return causes;
}

/** Validation the API server would do before storing; each cause names its field path. */
export function validate(info: KindInfo, object: JsonObject, old: JsonObject | undefined): Cause[] {
  const meta = isObject(object["metadata"]) ? object["metadata"] : {};
  const name = typeof meta["name"] === "string" ? meta["name"] : "";
  const causes = name ? nameCauses(info, name) : [required("metadata.name")];
  if (info.group === "apps") causes.push(...workloadCauses(object, old));
  if (info.group === "" && info.kind === "Service") causes.push(...serviceCauses(object, old));
  if (info.group === "" && (info.kind === "ConfigMap" || info.kind === "Secret"))
    causes.push(...dataCauses(info, object));
  return causes;
}
