import * as catalog from "../../protocol/catalog/aws.ts";
import { type DiffEntry, deepEqual, type PropertyMap, ProviderError } from "../../protocol/index.ts";
import { simple } from "./catalog.ts";
import type { CloudControl } from "./cloud-control.ts";
import {
  type AwsContext,
  type AwsHandler,
  buildPatch,
  desiredModel,
  operationContext,
  planAgainstLive,
  viewOf,
} from "./mapping.ts";
import { ownTags, writeTags } from "./tags.ts";

/**
 * `aws:elb:load-balancer` is one catalog resource over several Cloud Control resources: the
 * AWS::ElasticLoadBalancingV2::LoadBalancer, and per entry of `listeners` a Listener forwarding to a
 * TargetGroup (CloudFormation's LoadBalancer has no listeners, reference §7). The load balancer's ARN
 * is the id; the listeners and target groups are found from it, and go with it.
 */

const LB = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const LISTENER = "AWS::ElasticLoadBalancingV2::Listener";
const TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup";

interface Listener {
  protocol: string;
  port: number;
  targetPort?: number;
  certificateArn?: string;
}

const base = simple(
  {
    ...catalog.loadBalancerType,
    cfnType: LB,
  },
  [
    ["subnets", "Subnets"],
    ["loadBalancerType", "Type"],
    ["scheme", "Scheme"],
    ["securityGroups", "SecurityGroups"],
  ],
  "LoadBalancerArn",
  (model) => ({ dnsName: model["DNSName"], arn: model["LoadBalancerArn"] }),
);

function listenersOf(properties: PropertyMap): Listener[] {
  return Array.isArray(properties["listeners"]) ? (properties["listeners"] as unknown as Listener[]) : [];
}

const keyOf = (listener: Listener) =>
  JSON.stringify([
    listener.protocol,
    listener.port,
    listener.targetPort ?? listener.port,
    listener.certificateArn ?? null,
  ]);

/** A target group speaks the plain protocol behind a TLS listener. */
const targetProtocol = (protocol: string) =>
  protocol === "HTTPS" ? "HTTP" : protocol === "TLS" ? "TCP" : protocol;

async function vpcOf(cc: CloudControl, subnets: unknown): Promise<string> {
  const first = Array.isArray(subnets) ? String(subnets[0]) : "";
  const subnet = await cc.get("AWS::EC2::Subnet", first);
  if (!subnet) throw new ProviderError("NOT_FOUND", `aws:elb:load-balancer: subnet ${first} does not exist`);
  return String(subnet["VpcId"]);
}

/** The listeners on a load balancer, with the target group each forwards to. */
async function liveListeners(
  cc: CloudControl,
  lbArn: string,
): Promise<Array<{ id: string; targetGroup?: string; listener: Listener }>> {
  const found = await cc.list(LISTENER, { LoadBalancerArn: lbArn });
  const out = [];
  for (const { id, model } of found) {
    const actions = Array.isArray(model["DefaultActions"]) ? (model["DefaultActions"] as PropertyMap[]) : [];
    const targetGroup = actions.find((action) => typeof action["TargetGroupArn"] === "string")?.[
      "TargetGroupArn"
    ] as string | undefined;
    const group = targetGroup ? await cc.get(TARGET_GROUP, targetGroup) : null;
    const listener: Listener = { protocol: String(model["Protocol"]), port: Number(model["Port"]) };
    const targetPort = Number(group?.["Port"] ?? listener.port);
    if (targetPort !== listener.port) listener.targetPort = targetPort;
    const certificate = (model["Certificates"] as PropertyMap[] | undefined)?.[0]?.["CertificateArn"];
    if (typeof certificate === "string") listener.certificateArn = certificate;
    out.push({ id, ...(targetGroup ? { targetGroup } : {}), listener });
  }
  return out.sort(
    (a, b) => a.listener.port - b.listener.port || a.listener.protocol.localeCompare(b.listener.protocol),
  );
}

async function addListener(
  cc: CloudControl,
  lbArn: string,
  vpcId: string,
  listener: Listener,
  context: AwsContext,
): Promise<void> {
  const tags = writeTags(ownTags(context.deploymentId, context.name), "list");
  const seed = { lbArn, listener: keyOf(listener) };
  const group = await cc.create(
    TARGET_GROUP,
    {
      Protocol: targetProtocol(listener.protocol),
      Port: listener.targetPort ?? listener.port,
      VpcId: vpcId,
      Tags: tags,
    },
    operationContext(
      { cfnType: TARGET_GROUP },
      context,
      `target group for ${listener.protocol}:${listener.port}`,
      seed,
    ),
  );
  const model: PropertyMap = {
    LoadBalancerArn: lbArn,
    Port: listener.port,
    Protocol: listener.protocol,
    DefaultActions: [{ Type: "forward", TargetGroupArn: group.id }],
  };
  if (listener.certificateArn) model["Certificates"] = [{ CertificateArn: listener.certificateArn }];
  await cc.create(
    LISTENER,
    model,
    operationContext({ cfnType: LISTENER }, context, `listener ${listener.protocol}:${listener.port}`, seed),
  );
}

async function removeListener(
  cc: CloudControl,
  entry: { id: string; targetGroup?: string },
  context?: AwsContext,
): Promise<void> {
  await cc.delete(LISTENER, entry.id, operationContext({ cfnType: LISTENER }, context, "delete", entry.id));
  if (entry.targetGroup)
    await cc.delete(
      TARGET_GROUP,
      entry.targetGroup,
      operationContext({ cfnType: TARGET_GROUP }, context, "delete", entry.targetGroup),
    );
}

async function removeAll(cc: CloudControl, lbArn: string, context?: AwsContext): Promise<void> {
  for (const entry of await liveListeners(cc, lbArn)) await removeListener(cc, entry, context);
  await cc.delete(LB, lbArn, operationContext(base, context, "delete", lbArn));
}

async function read(cc: CloudControl, id: string) {
  const model = await cc.get(LB, id);
  if (!model) return null;
  const view = viewOf(base, model, id);
  const listeners = (await liveListeners(cc, id)).map((entry) => entry.listener);
  if (listeners.length > 0) view.properties["listeners"] = listeners as unknown as PropertyMap[];
  return view;
}

async function create(cc: CloudControl, properties: PropertyMap, context: AwsContext) {
  const desired = desiredModel(base, properties, context);
  const created = await cc.create(LB, desired, operationContext(base, context, "create", desired));
  try {
    const listeners = listenersOf(properties);
    const vpcId = listeners.length > 0 ? await vpcOf(cc, properties["subnets"]) : "";
    for (const listener of listeners) await addListener(cc, created.id, vpcId, listener, context);
  } catch (error) {
    // Leave nothing half-made behind: the load balancer without its listeners is not what was asked.
    await removeAll(cc, created.id, context).catch(() => undefined);
    throw error;
  }
  return { id: created.id, outputs: viewOf(base, created.model, created.id).outputs };
}

async function update(
  cc: CloudControl,
  id: string,
  properties: PropertyMap,
  context: AwsContext & { diff: DiffEntry[] },
) {
  const live = await cc.get(LB, id);
  if (!live) throw new ProviderError("NOT_FOUND", `aws:elb:load-balancer ${id} does not exist`);
  const patch = buildPatch(base, live, desiredModel(base, properties, context), context.diff);
  let model = live;
  if (patch.length > 0)
    model = await cc.update(LB, id, patch, operationContext(base, context, "update", patch));
  const wanted = listenersOf(properties);
  const current = await liveListeners(cc, id);
  for (const entry of current)
    if (!wanted.some((listener) => keyOf(listener) === keyOf(entry.listener)))
      await removeListener(cc, entry, context);
  const missing = wanted.filter(
    (listener) => !current.some((entry) => keyOf(entry.listener) === keyOf(listener)),
  );
  if (missing.length > 0) {
    const vpcId = await vpcOf(cc, properties["subnets"]);
    for (const listener of missing) await addListener(cc, id, vpcId, listener, context);
  }
  return viewOf(base, model, id).outputs;
}

export function loadBalancerType(cc: CloudControl): AwsHandler {
  const replaceOnChange = [...(base.replaceOnChange ?? [])];
  return {
    type: base.type,
    cfnType: LB,
    description: base.description,
    properties: base.properties,
    outputs: base.outputs,
    replaceOnChange,
    ...(base.estimateMonthlyCost ? { estimateMonthlyCost: base.estimateMonthlyCost } : {}),
    create: (properties, context: AwsContext) => create(cc, properties, context),
    read: (id) => read(cc, id),
    update: (id, properties, context: AwsContext & { diff: DiffEntry[] }) =>
      update(cc, id, properties, context),
    async delete(id, context) {
      if (!(await cc.get(LB, id)))
        throw new ProviderError("NOT_FOUND", `aws:elb:load-balancer ${id} does not exist`);
      await removeAll(cc, id, context);
    },
    async plan(id, desired, current) {
      const live = await read(cc, id);
      if (!live) return null;
      const planned = planAgainstLive(base, live, desired, current.properties, replaceOnChange);
      // Listener order is not meaningful: compare as sets.
      const want = listenersOf(desired).map(keyOf).sort();
      const have = listenersOf(live.properties).map(keyOf).sort();
      if (deepEqual(want, have)) planned.diff = planned.diff.filter((entry) => entry.path !== "listeners");
      return planned;
    },
  };
}
