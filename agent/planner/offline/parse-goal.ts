import { NUMBER_WORD_PATTERN, parseCount } from "./numbers.ts";

/** A port the goal names, with its transport when it says one. */
export interface NamedPort {
  port: number;
  protocol?: "tcp" | "udp";
}

/** Everything the keyword and pattern pass found in a goal; blueprints pick what they need. */
export interface ParsedGoal {
  raw: string;
  /** Lowercase, whitespace collapsed, quotes straightened. */
  text: string;
  /** `text` with the tokens that carry values (types, addresses, images) blanked, for keyword tests. */
  words: string;
  count?: number;
  ports: NamedPort[];
  storageGb?: number;
  instanceType?: string;
  dbClass?: string;
  ami?: string;
  vlanTag?: number;
  /** A parent NIC such as igc2. */
  nic?: string;
  /** An OPNsense interface name such as lan, wan or opt1. */
  zone?: string;
  ips: string[];
  cidrs: string[];
  macs: string[];
  fqdns: string[];
  images: string[];
  name?: string;
  hostname?: string;
  namespace?: string;
  buildContext?: string;
  dockerfile?: string;
  env: Record<string, string>;
  backupDays?: number;
  /** Values out of range or named twice over; a plan is declined rather than defaulting or picking one. */
  invalid: string[];
}

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4_TEXT = `${OCTET}(?:\\.${OCTET}){3}`;
const SIZE = "(?:nano|micro|small|medium|large|\\d*xlarge|metal)";
const INSTANCE_TYPE = new RegExp(`(?<![\\w.])([a-z]\\d[a-z0-9]*\\.${SIZE})(?![\\w-]|\\.\\w)`, "g");
const DB_CLASS = new RegExp(`(?<![\\w.])(db\\.[a-z]\\d[a-z0-9]*\\.${SIZE})(?![\\w-]|\\.\\w)`, "g");
const CIDR = new RegExp(`(?<![\\w.])(${IPV4_TEXT}\\/(?:3[0-2]|[12]?\\d))(?![\\w.]|\\.\\d)`, "g");
const IPV4 = new RegExp(`(?<![\\w.])(${IPV4_TEXT})(?!\\d|\\.\\d|\\/\\d)`, "g");
const MAC = /(?<![\w:-])([0-9a-f]{2}(?:[:-][0-9a-f]{2}){5})(?![\w:-])/g;
const AMI = /\b(ami-[0-9a-z]+)\b/g;
/** `name:tag` image references; the name part excludes words that precede a colon in plain prose. */
const IMAGE_REF = /(?<![\w./@:-])([a-z0-9][a-z0-9._/-]*:[a-z0-9][a-z0-9._-]*)(?![\w/-]|\.\w)/g;
const NOT_IMAGE_NAMES = new Set([
  "port",
  "ports",
  "tag",
  "vlan",
  "replicas",
  "instances",
  "tcp",
  "udp",
  "http",
  "https",
  "env",
  "image",
  "name",
  "namespace",
]);
const FQDN =
  /(?<![\w.@/:-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9])(?![\w-]|\.\w|:\d)/g;
const NIC = /(?<![\w.-])((?:igc|igb|em|ix|ixl|ixgbe|vtnet|re|bge|vmx|eth|ens|enp)\d+[a-z0-9]*)(?![\w-])/;
const ZONE = /(?<![\w.-])(lan|wan|opt\d{1,2})(?![\w-]|\.\w)/;
/** Names a word may precede with "called"/"named" and mean a host, not the deployment. */
const HOST_WORDS = /(?:host|hostname|device|machine|client|computer|printer|laptop|server|box)$/;
const BARE_WORDS = new Set(["a", "an", "the", "it", "with", "and", "to", "at", "for", "on", "in", "of"]);

function allMatches(text: string, pattern: RegExp): string[] {
  return [...text.matchAll(pattern)].map((match) => match[1]!);
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function validPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

function parsePorts(text: string, invalid: string[]): NamedPort[] {
  const found: { index: number; port: NamedPort }[] = [];
  const add = (index: number, digits: string, protocol?: string) => {
    const port = Number(digits);
    if (!validPort(port)) {
      invalid.push(`port ${digits} (outside 1-65535)`);
      return;
    }
    const entry: NamedPort = { port };
    if (protocol === "tcp" || protocol === "udp") entry.protocol = protocol;
    found.push({ index, port: entry });
  };
  // "port 8080", "ports 80 and 443", "port 514/udp"
  for (const match of text.matchAll(
    /\bports?\s*[:=]?\s*(\d+(?:\s*\/\s*(?:tcp|udp))?(?:\s*(?:,|and|&)\s*\d+(?:\s*\/\s*(?:tcp|udp))?)*)/g,
  )) {
    for (const part of match[1]!.matchAll(/(\d+)(?:\s*\/\s*(tcp|udp))?/g)) {
      add(match.index! + part.index!, part[1]!, part[2]);
    }
  }
  // "tcp 8443", "udp port 514", "8443/tcp"
  for (const match of text.matchAll(/\b(tcp|udp)\s+(?:ports?\s+)?(\d+)\b/g))
    add(match.index!, match[2]!, match[1]);
  for (const match of text.matchAll(/(?<![\w./:])(\d+)\s*\/\s*(tcp|udp)\b/g))
    add(match.index!, match[1]!, match[2]);
  for (const match of text.matchAll(/\blisten(?:s|ing)?\s+on\s+(\d+)\b/g)) add(match.index!, match[1]!);
  // "on :8080"
  for (const match of text.matchAll(/(?<![\w.]):(\d{2,5})\b/g)) add(match.index!, match[1]!);
  found.sort((a, b) => a.index - b.index);
  const seen = new Set<string>();
  const ports: NamedPort[] = [];
  for (const { port } of found) {
    const key = `${port.port}/${port.protocol ?? ""}`;
    const bare = `${port.port}/`;
    if (seen.has(key)) continue;
    // A transport-qualified mention supersedes a bare one of the same number.
    if (port.protocol && seen.has(bare)) {
      const index = ports.findIndex((entry) => entry.port === port.port && !entry.protocol);
      if (index >= 0) ports.splice(index, 1);
    } else if (!port.protocol && [...seen].some((entry) => entry.startsWith(bare))) continue;
    seen.add(key);
    ports.push(port);
  }
  return ports;
}

function parseStorage(text: string, invalid: string[]): number | undefined {
  const match = /\b(\d+(?:\.\d+)?)\s*(gb|gib|tb|tib)\b/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]) * (match[2]!.startsWith("t") ? 1024 : 1);
  if (!Number.isFinite(amount) || amount < 1) {
    invalid.push(`storage ${match[0]}`);
    return undefined;
  }
  return Math.ceil(amount);
}

function parseVlanTag(text: string, invalid: string[]): number | undefined {
  const tags = unique(
    [
      ...text.matchAll(/\bvlan\s*(?:id\s*|tag\s*|#\s*|number\s*)?[:=]?\s*(\d+)\b|\btag(?:ged)?\s+(\d+)\b/g),
    ].map((match) => match[1] ?? match[2]!),
  );
  if (tags.length > 1) {
    invalid.push(`several VLAN tags (${tags.join(", ")}): one plan builds one VLAN`);
    return undefined;
  }
  if (tags[0] === undefined) return undefined;
  const tag = Number(tags[0]);
  if (tag < 1 || tag > 4094) {
    invalid.push(`VLAN tag ${tags[0]} (VLAN tags are 1-4094)`);
    return undefined;
  }
  return tag;
}

/** One value of a kind, or none; several are reported, since picking one would be a guess. */
function single(values: string[], kind: string, invalid: string[]): string | undefined {
  if (values.length > 1) invalid.push(`several ${kind} (${values.join(", ")}): one plan uses one`);
  return values[0];
}

/** A count in digits or words ("3", "three"), captured; the patterns using it are built once. */
const COUNT_NUMBER = `(\\d+|${NUMBER_WORD_PATTERN})`;
const BACKUP_DAYS = [
  new RegExp(`\\b${COUNT_NUMBER}[\\s-]*days?\\s+(?:of\\s+)?backups?`),
  new RegExp(
    `\\bbackups?\\s+(?:for|of|kept\\s+for|retained\\s+for|retention\\s+(?:of\\s+)?)?\\s*${COUNT_NUMBER}\\s*days?`,
  ),
];

function parseBackupDays(text: string): number | undefined {
  const match = BACKUP_DAYS[0]!.exec(text) ?? BACKUP_DAYS[1]!.exec(text);
  return match ? parseCount(match[1]!) : undefined;
}

function parseName(text: string): { name?: string; hostname?: string } {
  const out: { name?: string; hostname?: string } = {};
  for (const match of text.matchAll(/\b(called|named)\s+["']?([a-z0-9][a-z0-9_.-]*)/g)) {
    const before = text.slice(0, match.index).trimEnd();
    const value = match[2]!.replace(/[.-]+$/, "");
    if (!value || BARE_WORDS.has(value)) continue;
    if (HOST_WORDS.test(before)) out.hostname ??= value;
    else out.name ??= value;
  }
  const host = /\b(?:hostname|host\s+name)\s*[:=]?\s*["']?([a-z][a-z0-9-]{0,62})\b/.exec(text);
  if (host && !BARE_WORDS.has(host[1]!)) out.hostname ??= host[1]!;
  return out;
}

function parseEnv(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of raw.matchAll(/(?<![\w$])([A-Z_][A-Z0-9_]*)=("[^"]*"|'[^']*'|[^\s,;]+)/g)) {
    env[match[1]!] = match[2]!.replace(/^["']|["']$/g, "");
  }
  return env;
}

/** Blanks value-carrying tokens so that "t3.large" does not read as "large", nor "nginx:1.27" as "nginx". */
function blank(text: string, tokens: string[]): string {
  let out = text;
  for (const token of tokens) out = out.split(token).join(" ");
  return out.replace(/\s+/g, " ");
}

export function parseGoal(goal: string): ParsedGoal {
  const raw = goal.trim();
  const text = raw.toLowerCase().replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/\s+/g, " ");
  const invalid: string[] = [];
  const macs = unique(allMatches(text, MAC)).map((mac) => mac.replace(/-/g, ":"));
  const cidrs = unique(allMatches(text, CIDR));
  const ips = unique(allMatches(text, IPV4));
  const instanceTypes = unique(allMatches(text, INSTANCE_TYPE));
  const dbClasses = unique(allMatches(text, DB_CLASS));
  const amis = unique(allMatches(text, AMI));
  const images = unique(
    allMatches(text, IMAGE_REF).filter((ref) => {
      const [name, tag] = ref.split(":") as [string, string];
      if (NOT_IMAGE_NAMES.has(name) || /^[\d.]+$/.test(name)) return false;
      if (macs.some((mac) => mac.includes(ref))) return false;
      return tag.length > 0;
    }),
  );
  const named = parseName(text);
  const namespace =
    /\bnamespace\s*[:=]?\s*["']?([a-z0-9][a-z0-9-]*)/.exec(text)?.[1] ??
    /\bin\s+(?:the\s+)?["']?([a-z0-9][a-z0-9-]*)["']?\s+namespace\b/.exec(text)?.[1];
  // Paths keep their case, so they are read from the raw goal.
  const buildContext = /\b(?:from|in|context|of|build)\s+(\.{1,2}\/[\w./-]*|\/[\w.-]+(?:\/[\w.-]+)*)/i.exec(
    raw,
  )?.[1];
  const dockerfile = /\bdockerfile\s+(?:at\s+)?((?:\.{1,2}\/)?[\w./-]*dockerfile[\w.-]*)/i.exec(raw)?.[1];
  const excluded = [...instanceTypes, ...dbClasses, ...images, ...macs, ...cidrs, ...ips];
  const fqdns = unique(allMatches(text, FQDN)).filter(
    (fqdn) =>
      !excluded.some((token) => token.includes(fqdn)) &&
      !/^[\d.]+$/.test(fqdn) &&
      !new RegExp(`^(db\\.)?[a-z]\\d[a-z0-9]*\\.${SIZE}$`).test(fqdn) &&
      !/\.(ts|js|json|ya?ml|toml|txt|md|sh|py|go)$/.test(fqdn),
  );
  // KEY=value pairs are env for containers, not words ("POSTGRES_PASSWORD=…" asks for no database).
  const words = blank(text, [...excluded, ...amis, ...fqdns]).replace(
    /\b[a-z_][a-z0-9_]*=("[^"]*"|'[^']*'|[^\s,;]+)/g,
    " ",
  );
  const count = parseCountPhrase(words);
  const parsed: ParsedGoal = {
    raw,
    text,
    words,
    ports: parsePorts(blank(text, [...macs, ...images]), invalid),
    ips,
    cidrs,
    macs,
    fqdns,
    images,
    env: parseEnv(raw),
    invalid,
  };
  if (count !== undefined) parsed.count = count;
  const storage = parseStorage(words, invalid);
  if (storage !== undefined) parsed.storageGb = storage;
  const instanceType = single(instanceTypes, "instance types", invalid);
  if (instanceType) parsed.instanceType = instanceType;
  const dbClass = single(dbClasses, "database classes", invalid);
  if (dbClass) parsed.dbClass = dbClass;
  const ami = single(amis, "AMIs", invalid);
  if (ami) parsed.ami = ami;
  const tag = parseVlanTag(words, invalid);
  if (tag !== undefined) parsed.vlanTag = tag;
  const nic = NIC.exec(words)?.[1];
  if (nic) parsed.nic = nic;
  const zone = ZONE.exec(words)?.[1];
  if (zone) parsed.zone = zone;
  if (named.name) parsed.name = named.name;
  if (named.hostname) parsed.hostname = named.hostname;
  if (namespace) parsed.namespace = namespace;
  if (buildContext) parsed.buildContext = buildContext;
  if (dockerfile) parsed.dockerfile = dockerfile;
  const backupDays = parseBackupDays(words);
  if (backupDays !== undefined) parsed.backupDays = backupDays;
  return parsed;
}

const COUNT_NOUNS =
  "instances?|servers?|replicas?|copies|copy|nodes?|vms?|virtual machines?|machines?|containers?|pods?|backends?|workers?";

/** A word between a number and its noun, but not one that starts another phrase ("150 with instances"). */
const FILLER = "(?!(?:with|and|on|at|for|behind|in|of|to|the|a|an|port|ports|vlan|gb|tb|days?)\\b)";

/** Built once: a RegExp made per call was compiled again on every goal parsed. */
const COUNT_PATTERNS = [
  new RegExp(`\\b${COUNT_NUMBER}\\s*(?:x\\s+)?(?:${FILLER}[a-z][\\w.-]*\\s+){0,2}?(?:${COUNT_NOUNS})\\b`),
  new RegExp(`\\b(?:replicas?|instances?|copies|count|scale(?:d)?\\s+to)\\s*[:=]?\\s*${COUNT_NUMBER}\\b`),
  /\b(\d+)\s*x\b/,
];

/** "three instances", "3 t3.large app servers", "replicas: 4", "4x". */
function parseCountPhrase(words: string): number | undefined {
  for (const pattern of COUNT_PATTERNS) {
    const match = pattern.exec(words);
    if (match) return parseCount(match[1]!);
  }
  return undefined;
}
