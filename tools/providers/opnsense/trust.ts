import { X509Certificate } from "node:crypto";
import * as catalog from "../../protocol/catalog/opnsense.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import { crud } from "./api.ts";
import type { ItemSpec } from "./item-type.ts";
import { field, setIf, str } from "./schema.ts";

const CERTS = {
  ...crud("trust/cert", "", "cert", { since: "24.7", needs: "the trust API /api/trust/cert" }),
  search: "search",
  get: "get",
  add: "add",
  set: "set",
  del: "del",
};

const KEY_TYPES = catalog.CERTIFICATE_KEY_TYPES;
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
  ...catalog.certificateType,
  collection: CERTS,
  markerField: "descr",
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
