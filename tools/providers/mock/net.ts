import { createHash, randomBytes, randomUUID } from "node:crypto";

/** Deterministic hex of any length from a seed, so a resource keeps its address across runs. */
export function hashHex(seed: string, length: number): string {
  let out = "";
  for (let round = 0; out.length < length; round++) {
    out += createHash("sha256").update(`${round}\u0000${seed}`).digest("hex");
  }
  return out.slice(0, length);
}

/** A non-negative 48-bit integer from a seed. */
export function hashInt(seed: string): number {
  return Number.parseInt(hashHex(seed, 12), 16);
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString("hex")
    .slice(0, length);
}

export function uuid(): string {
  return randomUUID();
}

/** An AWS-style resource id: prefix, dash, 17 hex digits starting with 0 (`i-0…`, `vpc-0…`). */
export function awsId(prefix: string): string {
  return `${prefix}-0${randomHex(16)}`;
}

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function randomUpperAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += UPPER_ALNUM[byte % UPPER_ALNUM.length];
  return out;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function intToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

export interface Cidr {
  base: number;
  prefix: number;
  size: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText] = text.split("/");
  if (address === undefined || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const ip = ipToInt(address);
  const prefix = Number(prefixText);
  if (ip === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: ip - (ip % size), prefix, size };
}

/** Whether the CIDR's address has bits set below its prefix (10.0.1.5/24). */
export function hasHostBits(text: string): boolean {
  const parsed = parseCidr(text);
  const ip = ipToInt(text.split("/")[0] ?? "");
  return parsed !== undefined && ip !== undefined && ip !== parsed.base;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + inner.size <= outer.base + outer.size;
}

/**
 * Picks a host address in a CIDR, starting at a point derived from the seed and probing upwards
 * past taken ones; `reserved` skips the network's first and last addresses (AWS keeps .0-.3 and
 * the last). Undefined when every address is taken.
 */
export function allocateAddress(
  cidr: Cidr,
  seed: string,
  isTaken: (ip: string) => boolean,
  reserved: { first: number; last: number } = { first: 1, last: 1 },
  maxProbes = 1 << 20,
): string | undefined {
  const count = cidr.size - reserved.first - reserved.last;
  if (count <= 0) return undefined;
  const start = hashInt(seed) % count;
  const limit = Math.min(count, maxProbes);
  for (let step = 0; step < limit; step++) {
    const ip = intToIp(cidr.base + reserved.first + ((start + step) % count));
    if (!isTaken(ip)) return ip;
  }
  return undefined;
}
