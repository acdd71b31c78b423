/**
 * The words retrieval folds together. Kept small and infra-specific on purpose: a fold that is
 * wrong costs more (wrong reuse) than a fold that is missing (a lower score).
 */

/** Words that say nothing about what to build; every goal has them. */
export const STOPWORDS = new Set(
  (
    "a an the and or but with without for to of in on at by from into onto over behind under via using use " +
    "my our your their its it this that these those me i we you he she they them us " +
    "is are be been being am was were do does did has have had will would should could can may might must " +
    "please want need needs like just also then so as some any all each every more most very " +
    "set up setup deploy deploys deployed deploying create creates created make makes give get put add " +
    "provision provisioned spin stand new there here which what where when how"
  ).split(" "),
);

/**
 * Spellings of one thing, folded to a single token. Keys are raw lowercase words; the tokeniser also
 * looks up each word's stem, so "databases" finds "database".
 */
export const EQUIVALENTS: Record<string, string[]> = {
  postgres: ["postgres"],
  postgresql: ["postgres"],
  pg: ["postgres"],
  psql: ["postgres"],
  db: ["database"],
  database: ["database"],
  rdbms: ["database"],
  k8s: ["kubernetes"],
  kubernetes: ["kubernetes"],
  kube: ["kubernetes"],
  lb: ["loadbalancer"],
  loadbalancer: ["loadbalancer"],
  app: ["app"],
  application: ["app"],
  webapp: ["web", "app"],
  webserver: ["web", "server"],
  website: ["web", "site"],
  www: ["web"],
  vm: ["vm"],
  vms: ["vm"],
  dbs: ["database"],
  lbs: ["loadbalancer"],
  cert: ["certificate"],
  certificate: ["certificate"],
  ssl: ["tls"],
  tls: ["tls"],
  fw: ["firewall"],
  vlan: ["vlan"],
  redis: ["redis"],
  dns: ["dns"],
  https: ["https"],
  aws: ["aws"],
  mariadb: ["mysql"],
  mysql: ["mysql"],
  mongo: ["mongodb"],
  mongodb: ["mongodb"],
  s3: ["s3"],
  ec2: ["ec2"],
  rds: ["rds"],
  elb: ["elb"],
  alb: ["elb"],
  nlb: ["elb"],
  haproxy: ["haproxy"],
  one: ["1"],
  two: ["2"],
  three: ["3"],
  four: ["4"],
  five: ["5"],
  six: ["6"],
  seven: ["7"],
  eight: ["8"],
  nine: ["9"],
  ten: ["10"],
  single: ["1"],
  pair: ["2"],
};

/** Two words that name one thing; matched on stems, so "load-balanced" and "load balancing" fold too. */
export const PHRASES: Array<[string, string, string]> = [
  ["load", "balancer", "loadbalancer"],
  ["load", "balancing", "loadbalancer"],
  ["virtual", "machine", "vm"],
  ["object", "storage", "bucket"],
  ["port", "forwarding", "nat"],
];

/**
 * A specific thing also counts as its kind, in queries and documents alike: "haproxy" matches a
 * pattern asking for "a load balancer", but a pattern built on an AWS ELB lacks the "haproxy" token
 * and so scores lower for a goal that names HAProxy.
 */
export const KINDS: Record<string, string[]> = {
  haproxy: ["loadbalancer"],
  elb: ["loadbalancer"],
  postgres: ["database"],
  mysql: ["database"],
  mongodb: ["database"],
  rds: ["database"],
  ec2: ["vm"],
  redis: ["cache"],
  memcached: ["cache"],
  vlan: ["network"],
  subnet: ["network"],
  vpc: ["network"],
  s3: ["bucket"],
};
