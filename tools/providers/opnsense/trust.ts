import { X509Certificate } from "node:crypto";
import type { PropertyMap } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import type { ItemSpec } from "./item-type.ts";
import {
  description,
  enumOf,
  field,
  nonEmpty,
  outputsSchema,
  propertiesSchema,
  setIf,
  str,
  stringList,
} from "./schema.ts";

const CERTS = {
  ...crud("trust/cert", "", "cert", { since: "24.7", needs: "the trust API /api/trust/cert" }),
  search: "search",
  get: "get",
  add: "add",
  set: "set",
  del: "del",
};

const KEY_TYPES: Record<string, string> = {
  "RSA-2048": "2048",
  "RSA-4096": "4096",
  prime256v1: "prime256v1",
  secp384r1: "secp384r1",
};
const keyTypeName = (api: string | undefined) =>
  Object.entries(KEY_TYPES).find(([, value]) => value === api)?.[0];

/** The certificate's SHA-256 fingerprint, from the PEM the API stores base64-encoded in `crt`. */
function fingerprint(crt: string | undefined): { fingerprint: string; notAfter?: string } {
  if (!crt) return { fingerprint: "" };
  try {
    const pem = crt.includes("BEGIN CERTIFICATE") ? crt : Buffer.from(crt, "base64").toString("utf8");
    const cert = new X509Certificate(pem);
    return { fingerprint: cert.fingerprint256, notAfter: new Date(cert.validTo).toISOString() };
  } catch {
    return { fingerprint: "" };
  }
}

export const certificate: ItemSpec = {
  type: "opnsense:security:certificate",
  description:
    "A server certificate made by the firewall (System > Trust > Certificates) through /api/trust/cert: self-signed, or signed by the CA whose refid is `ca`. " +
    "A change of name, alternative names or lifetime re-issues it in place.",
  properties: propertiesSchema(
    {
      commonName: nonEmpty,
      altNames: stringList,
      lifetimeDays: { type: "integer", minimum: 1, maximum: 3650 },
      keyType: enumOf(...Object.keys(KEY_TYPES)),
      ca: { ...nonEmpty, description: "refid of a CA on the firewall; empty: self-signed" },
      description,
    },
    ["commonName"],
    [
      { commonName: "portal.example.lan", altNames: ["portal.example.lan"], lifetimeDays: 397 },
      {
        commonName: "portal.example.lan",
        altNames: ["portal.example.lan", "www.portal.example.lan"],
        lifetimeDays: 397,
      },
    ],
  ),
  outputs: outputsSchema(
    {
      fingerprint: { type: "string", description: "SHA-256 fingerprint, colon-separated hex" },
      notAfter: { type: "string", description: "expiry, ISO 8601" },
    },
    ["id", "fingerprint"],
  ),
  collection: CERTS,
  markerField: "descr",
  replaceOnChange: ["keyType", "ca"],
  defaults: { lifetimeDays: 397, keyType: "prime256v1", altNames: [], description: "" },
  fieldNames: {
    commonname: "commonName",
    altnames_dns: "altNames",
    lifetime: "lifetimeDays",
    descr: "description",
  },
  async toFields(p) {
    const fields = {
      commonname: field(p["commonName"]),
      altnames_dns: Array.isArray(p["altNames"]) ? p["altNames"].join("\n") : "",
      lifetime: field(p["lifetimeDays"], "397"),
      key_type: KEY_TYPES[str(p, "keyType") ?? "prime256v1"] ?? "prime256v1",
      digest: "sha256",
      cert_type: "server_cert",
      caref: field(p["ca"]),
      // descr is required by the model: the common name stands in when no description is given.
      descr: field(p["description"]),
    };
    return { action: "internal", ...fields };
  },
  fromFields(f) {
    const out: PropertyMap = { commonName: f.commonname ?? "" };
    out["altNames"] = (f.altnames_dns ?? "").split("\n").filter(Boolean);
    if (f.lifetime) out["lifetimeDays"] = Number(f.lifetime);
    setIf(out, "keyType", keyTypeName(f.key_type));
    setIf(out, "ca", f.caref);
    setIf(out, "description", f.descr);
    return out;
  },
  makeOutputs: (id, f) => ({ id, ...fingerprint(f.crt) }),
};
