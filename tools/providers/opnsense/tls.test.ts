import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpnsenseEmulator } from "../../../test/opnsense/emulator.ts";
import { providerFor } from "../../../test/opnsense/in-process.ts";

/** A firewall's usual self-signed certificate for 127.0.0.1, made with the openssl CLI. */
function selfSigned(dir: string): { key: string; cert: string; certFile: string } {
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-days",
      "2",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: "ignore" },
  );
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

describe("TLS to a firewall with a self-signed certificate", () => {
  const dir = mkdtempSync(join(tmpdir(), "opnsense-tls-"));
  const material = selfSigned(dir);
  let emulator: OpnsenseEmulator;
  beforeAll(async () => {
    emulator = await new OpnsenseEmulator({ tls: { key: material.key, cert: material.cert } }).start();
  });
  afterAll(() => emulator.stop());

  it("refuses an unverified certificate by default, with the hint to set OPNSENSE_CA_FILE", async () => {
    expect(emulator.url).toMatch(/^https:/);
    const { tools } = providerFor(emulator);
    const error = await Promise.resolve(tools.listResources({})).catch((thrown: Error) => thrown);
    expect(error).toMatchObject({ code: "UNAVAILABLE" });
    expect((error as Error).message).toMatch(/OPNSENSE_CA_FILE \(or OPNSENSE_INSECURE=1\)/);
  });

  it("trusts the CA named by OPNSENSE_CA_FILE, or anything with OPNSENSE_INSECURE=1", async () => {
    const withCa = providerFor(emulator, emulator.keys[0], { OPNSENSE_CA_FILE: material.certFile });
    expect((await withCa.tools.listResources({})).resources).toEqual([]);
    const insecure = providerFor(emulator, emulator.keys[0], { OPNSENSE_INSECURE: "1" });
    expect((await insecure.tools.listResources({})).resources).toEqual([]);
  });

  it("names an unreadable OPNSENSE_CA_FILE", async () => {
    const { tools } = providerFor(emulator, emulator.keys[0], { OPNSENSE_CA_FILE: join(dir, "missing.pem") });
    await expect(tools.listResources({})).rejects.toThrow(/OPNSENSE_CA_FILE .*missing\.pem cannot be read/);
  });
});
