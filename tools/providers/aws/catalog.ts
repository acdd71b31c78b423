import * as catalog from "../../protocol/catalog/aws.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import type { Mapping } from "./mapping.ts";

/**
 * The seed's AWS types (design §4, schemas in tools/protocol/catalog/aws.ts) onto CloudFormation
 * types: the catalog's property names and outputs, CloudFormation's underneath.
 */

/** Copies defined values from `from[key]` to `to[cfnKey]` (and back with the pairs swapped). */
function rename(from: PropertyMap, pairs: Array<[string, string]>): PropertyMap {
  const to: PropertyMap = {};
  for (const [source, target] of pairs) if (from[source] !== undefined) to[target] = from[source];
  return to;
}

const swap = (pairs: Array<[string, string]>): Array<[string, string]> => pairs.map(([a, b]) => [b, a]);

function simple(
  base: Omit<Mapping, "toCfn" | "fromCfn" | "tagFormat" | "tagsProperty" | "ownedKeys">,
  pairs: Array<[string, string]>,
  primary: string,
  outputs: (model: PropertyMap) => PropertyMap = () => ({}),
): Mapping {
  const mapping: Mapping = {
    ...base,
    tagFormat: "list",
    tagsProperty: "tags",
    ownedKeys: pairs.map(([, cfn]) => cfn),
    toCfn: (properties) => rename(properties, pairs),
    fromCfn: (model, id) => ({
      properties: rename(model, swap(pairs)),
      outputs: { id: String(model[primary] ?? id), ...outputs(model) },
    }),
  };
  return mapping;
}

const vpc = simple(
  {
    ...catalog.vpcType,
    cfnType: "AWS::EC2::VPC",
  },
  [
    ["cidrBlock", "CidrBlock"],
    ["enableDnsHostnames", "EnableDnsHostnames"],
    ["enableDnsSupport", "EnableDnsSupport"],
  ],
  "VpcId",
  (model) => rename(model, [["DefaultSecurityGroup", "defaultSecurityGroup"]]),
);

const subnet = simple(
  {
    ...catalog.subnetType,
    cfnType: "AWS::EC2::Subnet",
  },
  [
    ["vpc", "VpcId"],
    ["cidrBlock", "CidrBlock"],
    ["availabilityZone", "AvailabilityZone"],
    ["mapPublicIpOnLaunch", "MapPublicIpOnLaunch"],
  ],
  "SubnetId",
  (model) => rename(model, [["AvailabilityZone", "availabilityZone"]]),
);

const DEFAULT_GROUP_DESCRIPTION = "managed by mcp-iac";

type Rule = { protocol: string; port?: number; toPort?: number; cidr: string };

function toIngress(rules: unknown): PropertyMap[] {
  return (Array.isArray(rules) ? (rules as Rule[]) : []).map((rule) => {
    const all = rule.protocol === "-1";
    return {
      IpProtocol: rule.protocol,
      ...(all || rule.port === undefined ? {} : { FromPort: rule.port, ToPort: rule.toPort ?? rule.port }),
      CidrIp: rule.cidr,
    };
  });
}

function fromIngress(rules: unknown): Rule[] {
  return (Array.isArray(rules) ? (rules as PropertyMap[]) : []).map((rule) => {
    const out: Rule = { protocol: String(rule["IpProtocol"]), cidr: String(rule["CidrIp"]) };
    const from = rule["FromPort"];
    const to = rule["ToPort"];
    if (typeof from === "number" && from >= 0) out.port = from;
    if (typeof to === "number" && to !== from) out.toPort = to;
    return out;
  });
}

const securityGroup: Mapping = {
  ...catalog.securityGroupType,
  cfnType: "AWS::EC2::SecurityGroup",
  tagFormat: "list",
  tagsProperty: "tags",
  ownedKeys: ["VpcId", "GroupDescription", "SecurityGroupIngress"],
  toCfn: (properties) => ({
    ...rename(properties, [["vpc", "VpcId"]]),
    GroupDescription:
      typeof properties["description"] === "string" ? properties["description"] : DEFAULT_GROUP_DESCRIPTION,
    ...(properties["ingress"] === undefined
      ? {}
      : { SecurityGroupIngress: toIngress(properties["ingress"]) }),
  }),
  fromCfn(model, id) {
    const properties = rename(model, [["VpcId", "vpc"]]);
    if (model["GroupDescription"] !== DEFAULT_GROUP_DESCRIPTION && model["GroupDescription"] !== undefined)
      properties["description"] = model["GroupDescription"];
    if (model["SecurityGroupIngress"] !== undefined)
      properties["ingress"] = fromIngress(model["SecurityGroupIngress"]);
    return { properties, outputs: { id: String(model["GroupId"] ?? model["Id"] ?? id) } };
  },
  estimateMonthlyCost: () => 0,
};

const instanceBase = simple(
  {
    ...catalog.instanceType,
    cfnType: "AWS::EC2::Instance",
  },
  [
    ["instanceType", "InstanceType"],
    ["ami", "ImageId"],
    ["subnet", "SubnetId"],
    ["securityGroups", "SecurityGroupIds"],
    ["keyName", "KeyName"],
    ["userData", "UserData"],
  ],
  "InstanceId",
  (model) =>
    rename(model, [
      ["PrivateIp", "ip"],
      ["PublicIp", "publicIp"],
      ["PrivateDnsName", "privateDns"],
    ]),
);

/** Amazon Linux's root device: rootVolumeGb sizes it. */
const ROOT_DEVICE = "/dev/xvda";

/** rootVolumeGb is the root device's size in BlockDeviceMappings; the instance's State comes back as { Code, Name }. */
const instance: Mapping = {
  ...instanceBase,
  toCfn(properties) {
    const model = instanceBase.toCfn(properties);
    if (typeof properties["rootVolumeGb"] === "number")
      model["BlockDeviceMappings"] = [
        { DeviceName: ROOT_DEVICE, Ebs: { VolumeSize: properties["rootVolumeGb"] } },
      ];
    return model;
  },
  fromCfn(model, id) {
    const view = instanceBase.fromCfn(model, id);
    const devices = Array.isArray(model["BlockDeviceMappings"])
      ? (model["BlockDeviceMappings"] as PropertyMap[])
      : [];
    const root = devices.find((device) => device["DeviceName"] === ROOT_DEVICE)?.["Ebs"] as
      | PropertyMap
      | undefined;
    if (typeof root?.["VolumeSize"] === "number") view.properties["rootVolumeGb"] = root["VolumeSize"];
    const state = (model["State"] as PropertyMap | undefined)?.["Name"];
    if (typeof state === "string") view.outputs["state"] = state;
    return view;
  },
};

export const SIMPLE_MAPPINGS: Mapping[] = [vpc, subnet, securityGroup, instance];
export { rename, simple, swap };
