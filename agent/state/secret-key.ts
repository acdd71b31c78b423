import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { isSecretDigest, type SecretDigest, secretDigest } from "../../tools/protocol/index.ts";
import { isCode } from "./atomic-json-file.ts";
import { StateError } from "./errors.ts";
import type { DeploymentState, ResourceRecord } from "./types.ts";

/**
 * Secret digests at rest are keyed per workspace: `hmac-sha256:<key id>:<HMAC(key, bare digest)>`.
 * A bare `sha256:` digest lets anyone holding a state file test guesses; a keyed one needs the key
 * kept beside the state. The HMAC is taken over the bare digest (what providers make and compare),
 * so a provider's digest and one made from the clear value key alike, and an old document's bare
 * digests are keyed on read without knowing any secret.
 */
const KEYED = /^hmac-sha256:([0-9a-f]{16}):([0-9a-f]{64})$/;
const BARE = /^sha256:[0-9a-f]{64}$/;

/**
 * The keys of the workspaces this process has opened, by id. A keyed digest names its key, so the
 * engine can check a desired value against it without being handed the backend it came from.
 */
const keyrings = new Map<string, SecretKeyring>();

export class SecretKeyring {
  readonly id: string;
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
    this.id = createHash("sha256").update("mcp-iac secret key id\0").update(key).digest("hex").slice(0, 16);
  }

  /** The keyring of `key`, known from then on to `keyringOf`. */
  static of(key: Buffer): SecretKeyring {
    const made = new SecretKeyring(key);
    const known = keyrings.get(made.id);
    if (known) return known;
    keyrings.set(made.id, made);
    return made;
  }

  /** The keyed digest of a bare digest, or of a clear value; a keyed digest stays as it is. */
  key(value: unknown): SecretDigest {
    const bare = isSecretDigest(value) ? value.$secret : secretDigest(value).$secret;
    if (!BARE.test(bare)) return value as SecretDigest; // keyed already (here or elsewhere)
    const mac = createHmac("sha256", this.#key).update(bare).digest("hex");
    return { $secret: `hmac-sha256:${this.id}:${mac}` };
  }

  /** Whether the keyed digest `stored` was made from `value` (a clear value or a bare digest). */
  matches(stored: SecretDigest, value: unknown): boolean {
    const made = Buffer.from(this.key(value).$secret);
    const held = Buffer.from(stored.$secret);
    return made.length === held.length && timingSafeEqual(made, held);
  }
}

/** The keyring a keyed digest was made with, when this process has opened its workspace. */
export function keyringOf(value: unknown): SecretKeyring | undefined {
  if (!isSecretDigest(value)) return undefined;
  const id = KEYED.exec(value.$secret)?.[1];
  return id === undefined ? undefined : keyrings.get(id);
}

export function isBareDigest(value: unknown): value is SecretDigest {
  return isSecretDigest(value) && BARE.test(value.$secret);
}

/** A property map with every bare digest at the top level keyed; the same object when there is none. */
export function keyDigests(map: Record<string, unknown>, keyring: SecretKeyring): Record<string, unknown> {
  if (!Object.values(map).some(isBareDigest)) return map;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(map))
    out[name] = isBareDigest(value) ? keyring.key(value) : value;
  return out;
}

export function keyRecord(record: ResourceRecord, keyring: SecretKeyring): ResourceRecord {
  const properties = keyDigests(record.properties, keyring);
  const outputs = keyDigests(record.outputs, keyring);
  return properties === record.properties && outputs === record.outputs
    ? record
    : { ...record, properties, outputs };
}

export function recordHasBareDigests(record: ResourceRecord): boolean {
  return (
    Object.values(record.properties).some(isBareDigest) || Object.values(record.outputs).some(isBareDigest)
  );
}

export function hasBareDigests(state: DeploymentState): boolean {
  return Object.values(state.resources).some(recordHasBareDigests);
}

/** Whether a state holds any digest: then its key must be loaded, so `keyringOf` knows it. */
export function hasDigests(state: DeploymentState): boolean {
  return Object.values(state.resources).some(
    (record) =>
      Object.values(record.properties).some(isSecretDigest) ||
      Object.values(record.outputs).some(isSecretDigest),
  );
}

/**
 * A state as a backend hands it out: bare digests of an older document keyed, and the key loaded
 * whenever there is a digest at all, so the engine can check desired values against them.
 */
export async function withKeyedDigests(
  state: DeploymentState | undefined,
  keyring: () => Promise<SecretKeyring>,
): Promise<DeploymentState | undefined> {
  if (!state || !hasDigests(state)) return state;
  return keyState(state, await keyring());
}

/** Keys, in place, the bare digests an older document holds: they migrate on read. */
export function keyState(state: DeploymentState, keyring: SecretKeyring): DeploymentState {
  for (const [name, record] of Object.entries(state.resources))
    state.resources[name] = keyRecord(record, keyring);
  return state;
}

const KEY_TEXT = /^[0-9a-f]{64}\n?$/;

/**
 * The file backend's key: `<stateDir>/.secret-key`, 32 random bytes as hex, mode 0600, made on first
 * use. It is written whole to a temp file and linked into place, so two processes making it at
 * once agree on one key and a reader never sees half of one.
 */
export function fileSecretKey(stateDir: string): SecretKeyring {
  const path = join(stateDir, ".secret-key");
  const existing = readKeyFile(path);
  if (existing) return SecretKeyring.of(existing);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const temp = join(stateDir, `.secret-key.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, `${randomBytes(32).toString("hex")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
  } catch (error) {
    if (!isCode(error, "EEXIST")) throw error; // another process made it first: use theirs
  } finally {
    unlinkSync(temp);
  }
  return SecretKeyring.of(readKeyFile(path)!);
}

function readKeyFile(path: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT")) return undefined;
    throw error;
  }
  if (!KEY_TEXT.test(text)) {
    throw new StateError("STATE_CORRUPT", `the secret key file ${path} is damaged (not 64 hex digits)`, {
      hint: "restore it from a backup; without it, every stored secret reads as changed once and is sent again on the next apply (remove the file to accept that)",
    });
  }
  return Buffer.from(text.trim(), "hex");
}

/** A key given as hex (a PostgreSQL key row): checked like the file's. */
export function keyringFromHex(hex: string, where: string): SecretKeyring {
  if (!KEY_TEXT.test(hex))
    throw new StateError("STATE_CORRUPT", `the secret key in ${where} is damaged (not 64 hex digits)`);
  return SecretKeyring.of(Buffer.from(hex.trim(), "hex"));
}

export function newKeyHex(): string {
  return randomBytes(32).toString("hex");
}
