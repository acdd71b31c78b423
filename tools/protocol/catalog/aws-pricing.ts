import type { PropertyMap } from "../schemas.ts";

/**
 * Monthly price estimates for the catalog's AWS types (on-demand, us-east-1, Linux), table-like data:
 * the sandbox and the real provider give the same figure for the same properties.
 */

const HOURS_PER_MONTH = 730;

/** On-demand USD per hour, us-east-1, Linux. */
const EC2_HOURLY: Record<string, number> = {
  "t3.nano": 0.0052,
  "t3.micro": 0.0104,
  "t3.small": 0.0208,
  "t3.medium": 0.0416,
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "t3.2xlarge": 0.3328,
  "t2.micro": 0.0116,
  "t2.small": 0.023,
  "t2.medium": 0.0464,
  "t4g.micro": 0.0084,
  "t4g.small": 0.0168,
  "t4g.medium": 0.0336,
  "m5.large": 0.096,
  "m5.xlarge": 0.192,
  "m5.2xlarge": 0.384,
  "m6i.large": 0.096,
  "m7i.large": 0.1008,
  "c5.large": 0.085,
  "c5.xlarge": 0.17,
  "c6i.large": 0.085,
  "r5.large": 0.126,
  "r6i.large": 0.126,
};
/** For unlisted types: price by size, roughly an m5's. */
const SIZE_HOURLY: Record<string, number> = {
  nano: 0.006,
  micro: 0.012,
  small: 0.024,
  medium: 0.048,
  large: 0.096,
  xlarge: 0.192,
  "2xlarge": 0.384,
  "4xlarge": 0.768,
};
const EBS_GP3_PER_GB = 0.08;

function ec2Hourly(instanceType: string): number | undefined {
  return EC2_HOURLY[instanceType] ?? SIZE_HOURLY[instanceType.split(".")[1] ?? ""];
}

const money = (usd: number) => Math.round(usd * 100) / 100;
const num = (properties: PropertyMap, key: string) =>
  typeof properties[key] === "number" ? (properties[key] as number) : undefined;
const str = (properties: PropertyMap, key: string) =>
  typeof properties[key] === "string" ? (properties[key] as string) : undefined;

export const free = (): number => 0;

export function ec2MonthlyCost(properties: PropertyMap): number | undefined {
  const instanceType = str(properties, "instanceType");
  const hourly = instanceType ? ec2Hourly(instanceType) : undefined;
  if (hourly === undefined) return undefined;
  return money(hourly * HOURS_PER_MONTH + (num(properties, "rootVolumeGb") ?? 8) * EBS_GP3_PER_GB);
}

/** On-demand USD per hour, single-AZ, us-east-1, PostgreSQL/MySQL. */
const RDS_HOURLY: Record<string, number> = {
  "db.t3.micro": 0.017,
  "db.t3.small": 0.034,
  "db.t3.medium": 0.068,
  "db.t3.large": 0.136,
  "db.t4g.micro": 0.016,
  "db.t4g.small": 0.032,
  "db.t4g.medium": 0.065,
  "db.m5.large": 0.171,
  "db.m5.xlarge": 0.342,
  "db.m6i.large": 0.171,
  "db.r5.large": 0.25,
  "db.r6g.large": 0.225,
};
const RDS_GP2_PER_GB = 0.115;

export function rdsMonthlyCost(properties: PropertyMap): number | undefined {
  const instanceClass = str(properties, "instanceClass");
  const hourly = instanceClass ? RDS_HOURLY[instanceClass] : undefined;
  if (hourly === undefined) return undefined;
  const multiAz = properties["multiAz"] === true ? 2 : 1;
  return money(
    hourly * HOURS_PER_MONTH * multiAz +
      (num(properties, "allocatedStorage") ?? 20) * RDS_GP2_PER_GB * multiAz,
  );
}

/** Hourly charge plus one LCU/NLCU on average. */
export const loadBalancerMonthlyCost = (properties: PropertyMap): number =>
  money((properties["loadBalancerType"] === "network" ? 0.0225 + 0.006 : 0.0225 + 0.008) * HOURS_PER_MONTH);

export const bucketMonthlyCost = (): number => 0.23;
