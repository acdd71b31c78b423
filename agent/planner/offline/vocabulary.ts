/** The words the offline planner recognises, kept as data so tests and the decline text can list them. */

export const WORDS = {
  kubernetes: /\b(?:k8s|kubernetes|kube|kubectl|eks|minikube|pods?|namespace)\b/,
  container: /\b(?:docker|containers?|containeri[sz]ed|dockerfile|compose|image)\b/,
  build: /\b(?:build|builds|building|built|dockerfile)\b/,
  web: /\b(?:web[\s-]?apps?|web[\s-]?applications?|websites?|web\s?sites?|web[\s-]?servers?|web[\s-]?services?|web\s+front[\s-]?ends?|portal|app\s+servers?|application\s+servers?|apps?\s+tier)\b/,
  loadBalancer:
    /\b(?:load[\s-]?balanc\w*|lb|haproxy|balancer|reverse[\s-]proxy)\b|\bbehind\s+(?:a|an|the)\s+proxy\b/,
  database: /\b(?:databases?|db|rds|postgres\w*|pg|mysql|mariadb|aurora|sql)\b/,
  vlan: /\bvlans?\b/,
  firewall: /\b(?:firewall|allow\w*|permit\w*|open)\b/,
  dns: /\b(?:dns|resolve|resolves|resolving|point|points|pointing|override|a[\s-]record|host\s+override)\b/,
  dhcp: /\b(?:dhcp|static\s+lease|static\s+mapping|reservation|reserve|lease)\b/,
  aws: /\b(?:aws|rds|amazon|ec2)\b/,
};

/** RDS engines the offline planner builds, by the words that name them. */
export const ENGINES: { engine: string; pattern: RegExp }[] = [
  {
    engine: "aurora-postgresql",
    pattern: /\baurora\b[\w\s-]{0,20}\b(?:postgres\w*|pg)\b|\b(?:postgres\w*|pg)\s+aurora\b/,
  },
  { engine: "aurora-mysql", pattern: /\baurora\b[\w\s-]{0,20}\bmysql\b|\bmysql\s+aurora\b|\baurora\b/ },
  { engine: "mariadb", pattern: /\bmariadb\b|\bmaria\b/ },
  { engine: "mysql", pattern: /\bmysql\b/ },
  { engine: "postgres", pattern: /\b(?:postgres|postgresql|postgre|pg|psql)\b/ },
];

/** Databases that are not RDS engines the offline planner builds; naming one is never read as postgres. */
export const OTHER_DATABASES: { label: string; pattern: RegExp }[] = [
  { label: "MongoDB", pattern: /\bmongo(?:db)?\b/ },
  { label: "Redis", pattern: /\bredis\b/ },
  { label: "Cassandra", pattern: /\bcassandra\b/ },
  { label: "DynamoDB", pattern: /\bdynamo(?:db)?\b/ },
  { label: "CouchDB", pattern: /\bcouch(?:db|base)\b/ },
  { label: "SQLite", pattern: /\bsqlite\b/ },
  { label: "Oracle", pattern: /\boracle\b/ },
  { label: "SQL Server", pattern: /\bsql\s?server\b|\bmssql\b/ },
  { label: "Neo4j", pattern: /\bneo4j\b/ },
  { label: "Elasticsearch", pattern: /\belastic(?:search)?\b|\bopensearch\b/ },
];

/** Platforms the blueprints do not build on: a goal naming one is declined rather than moved to AWS. */
export const OTHER_PLATFORMS: { label: string; pattern: RegExp }[] = [
  { label: "Google Cloud", pattern: /\bgcp\b|\bgoogle\s+cloud\b|\bgke\b|\bgce\b|\bcloud\s+run\b/ },
  { label: "Azure", pattern: /\bazure\b|\baks\b/ },
  { label: "DigitalOcean", pattern: /\bdigital\s?ocean\b/ },
  { label: "Hetzner", pattern: /\bhetzner\b/ },
  { label: "Linode", pattern: /\blinode\b|\bakamai\b/ },
  { label: "Vultr", pattern: /\bvultr\b/ },
  { label: "Oracle Cloud", pattern: /\boracle\s+cloud\b|\boci\b/ },
  { label: "IBM Cloud", pattern: /\bibm\s+cloud\b/ },
  { label: "Alibaba Cloud", pattern: /\balibaba\b|\baliyun\b/ },
  { label: "OpenStack", pattern: /\bopenstack\b/ },
  { label: "VMware", pattern: /\bvmware\b|\bvsphere\b|\besxi\b/ },
  { label: "Proxmox", pattern: /\bproxmox\b/ },
  { label: "Nomad", pattern: /\bnomad\b/ },
  // Platforms-as-a-service: "on heroku with a postgres addon" is not an RDS database on AWS.
  { label: "Heroku", pattern: /\bheroku\b/ },
  { label: "Vercel", pattern: /\bvercel\b/ },
  { label: "Netlify", pattern: /\bnetlify\b/ },
  { label: "Fly.io", pattern: /\bfly\.io\b|\bflyctl\b/ },
  { label: "Render", pattern: /\bon\s+render(?:\.com)?\b/ },
  { label: "Railway", pattern: /\brailway(?:\.app)?\b/ },
  { label: "Cloudflare", pattern: /\bcloudflare\b/ },
];

/** Things no blueprint builds; a goal that asks for one gets it named in the notes, never dropped silently. */
export const UNCOVERED: { label: string; pattern: RegExp }[] = [
  { label: "CDN", pattern: /\bcdns?\b|\bcloudfront\b|\bcontent\s+delivery\b/ },
  { label: "cache", pattern: /\bcach(?:e|es|ing)\b|\bmemcached?\b/ },
  {
    label: "message queue",
    pattern: /\bqueues?\b|\bsqs\b|\bsns\b|\bkafka\b|\brabbitmq\b|\bnats\b|\bpub\/?sub\b/,
  },
  { label: "serverless functions", pattern: /\blambdas?\b|\bserverless\b|\bfunctions?\b/ },
  { label: "object storage", pattern: /\bs3\b|\bbuckets?\b|\bobject\s+stor\w*\b/ },
  { label: "VPN", pattern: /\bvpns?\b|\bwireguard\b|\bopenvpn\b|\bipsec\b/ },
  { label: "monitoring", pattern: /\bmonitor\w*\b|\bprometheus\b|\bgrafana\b|\balert\w*\b|\bdashboards?\b/ },
  {
    label: "log aggregation",
    pattern: /\blogging\b|\blog\s+(?:aggregation|shipping|collection)\b|\bloki\b|\bsyslog\s+server\b/,
  },
  { label: "TLS certificate", pattern: /\bcertificates?\b|\bcerts?\b|\blet'?s\s?encrypt\b|\bacme\b/ },
  { label: "autoscaling", pattern: /\bauto[\s-]?scal\w*\b/ },
  { label: "WAF", pattern: /\bwaf\b|\bweb\s+application\s+firewall\b/ },
  { label: "bastion host", pattern: /\bbastion\b|\bjump\s+(?:host|box|server)\b/ },
  { label: "NAT / port forwarding", pattern: /\bnat\b|\bport[\s-]forward\w*\b/ },
  { label: "DHCP range", pattern: /\bdhcp\s+(?:range|pool|server)\b|\baddress\s+pool\b/ },
  { label: "scheduled jobs", pattern: /\bcron\w*\b|\bscheduled\s+(?:jobs?|tasks?)\b/ },
  { label: "mail server", pattern: /\bmail\s+server\b|\bemail\b/ },
  { label: "Helm charts", pattern: /\bhelm\b/ },
  { label: "Kubernetes ingress", pattern: /\bingress\b/ },
  { label: "volumes", pattern: /\bvolumes?\b|\bpersistent\s+(?:storage|volume)\b/ },
  { label: "user accounts", pattern: /\busers?\s+accounts?\b|\bcreate\s+(?:a\s+)?users?\b/ },
  { label: "backup jobs", pattern: /\bbackup\s+(?:jobs?|server|vault)\b/ },
  { label: "domain registration", pattern: /\bregister\s+(?:a\s+)?domain\b/ },
  { label: "SSO / identity", pattern: /\bsso\b|\bldap\b|\boauth\b|\bkeycloak\b|\bidentity\s+provider\b/ },
];

/** Well-known services a firewall goal may name instead of a port. */
export const SERVICES: { label: string; pattern: RegExp; port?: number; protocol: "tcp" | "udp" | "icmp" }[] =
  [
    { label: "https", pattern: /\bhttps\b|\btls\b|\bssl\b/, port: 443, protocol: "tcp" },
    { label: "http", pattern: /\bhttp\b(?!s)/, port: 80, protocol: "tcp" },
    { label: "dns", pattern: /\bdns\b/, port: 53, protocol: "udp" },
    { label: "ntp", pattern: /\bntp\b/, port: 123, protocol: "udp" },
    { label: "ssh", pattern: /\bssh\b/, port: 22, protocol: "tcp" },
    { label: "rdp", pattern: /\brdp\b|\bremote\s+desktop\b/, port: 3389, protocol: "tcp" },
    { label: "smtp", pattern: /\bsmtp\b/, port: 25, protocol: "tcp" },
    { label: "imaps", pattern: /\bimaps?\b/, port: 993, protocol: "tcp" },
    { label: "mqtt", pattern: /\bmqtt\b/, port: 1883, protocol: "tcp" },
    { label: "syslog", pattern: /\bsyslog\b/, port: 514, protocol: "udp" },
    { label: "ping", pattern: /\bping\b|\bicmp\b/, protocol: "icmp" },
  ];

/** Ports that must never be opened to `any` (remote administration and file sharing). */
export const ADMIN_PORTS = new Set([22, 23, 135, 139, 445, 2375, 2376, 3389, 5900, 5985, 5986]);

/** Images a goal may name without a tag, with the port each listens on by default. */
export const KNOWN_IMAGES: Record<string, number | undefined> = {
  nginx: 80,
  httpd: 80,
  caddy: 80,
  traefik: 80,
  haproxy: 80,
  redis: 6379,
  memcached: 11211,
  postgres: 5432,
  mysql: 3306,
  mariadb: 3306,
  mongo: 27017,
  rabbitmq: 5672,
  grafana: 3000,
  prometheus: 9090,
  busybox: undefined,
  alpine: undefined,
  whoami: 80,
};

/** The default listening port of an image reference, when it is a well-known image. */
export function imageDefaultPort(image: string): number | undefined {
  const base = image.split("@")[0]!.split(":")[0]!.split("/").at(-1)!;
  return KNOWN_IMAGES[base];
}
