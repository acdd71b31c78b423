/**
 * The behaviour every memory backend owes the agent. A backend's test file calls
 * `describeMemoryStore(name, open)` with a function that opens a fresh, empty store.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryError } from "./errors.ts";
import { DNS_AND_DHCP, KUBERNETES_NGINX, WEB_BEHIND_ELB, WEB_BEHIND_HAPROXY } from "./test-fixtures.ts";
import type { MemoryStore } from "./types.ts";

type Fresh = () => Promise<MemoryStore>;

export function describeMemoryStore(backend: string, open: () => Promise<MemoryStore>): void {
  describe(`memory store conformance: ${backend}`, () => {
    const opened: MemoryStore[] = [];
    const fresh: Fresh = async () => {
      const store = await open();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });

    describeSearch(fresh);
    describePatternWrites(fresh);
    describeForget(fresh);
    describeLessons(fresh);
    describeGuards(fresh);
  });
}

/** Finding patterns by goal: ranking, synonyms, the reuse threshold. */
function describeSearch(fresh: Fresh): void {
  it("finds a saved pattern by its goal, with everything it was saved with", async () => {
    const store = await fresh();
    const saved = await store.savePattern(WEB_BEHIND_HAPROXY);
    expect(saved.id).toMatch(/^pat-[0-9a-f]{16}$/);
    expect(saved.uses).toBe(1);
    expect(saved.createdAt).toBe(saved.lastUsedAt);
    const hits = await store.searchPatterns(WEB_BEHIND_HAPROXY.goal);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.item).toEqual(saved);
    expect(hits[0]!.score).toBeGreaterThan(0.95);
    expect(hits[0]!.score).toBeLessThanOrEqual(1);
    expect(await store.listPatterns()).toEqual([saved]);
  });

  it("ranks the web app pattern first for a load-balanced web app with postgres, over DNS/DHCP", async () => {
    const store = await fresh();
    await store.savePattern(DNS_AND_DHCP);
    const web = await store.savePattern(WEB_BEHIND_HAPROXY);
    await store.savePattern(KUBERNETES_NGINX);
    const hits = await store.searchPatterns("deploy a web app behind a load balancer with postgres");
    expect(hits[0]!.item.id).toBe(web.id);
    expect(hits[0]!.score).toBeGreaterThanOrEqual(0.6);
    const dns = hits.find((hit) => hit.item.deployment === "office-net");
    expect(dns?.score ?? 0).toBeLessThan(0.2);
  });

  it("folds synonyms: k8s, postgresql/pg, db, lb, virtual machines", async () => {
    const store = await fresh();
    await store.savePattern(DNS_AND_DHCP);
    await store.savePattern(WEB_BEHIND_HAPROXY);
    await store.savePattern(KUBERNETES_NGINX);
    expect((await store.searchPatterns("nginx on k8s"))[0]?.item.deployment).toBe("nginx-k8s");
    expect((await store.searchPatterns("web apps behind an lb and a pg db"))[0]?.item.deployment).toBe(
      "customer-portal",
    );
    expect((await store.searchPatterns("load-balanced web application, postgres"))[0]?.item.deployment).toBe(
      "customer-portal",
    );
    const both = await store.searchPatterns("two virtual machines and a database");
    expect(both[0]?.item.deployment).toBe("customer-portal");
    // Synonymous wordings of a saved goal score exactly as the goal itself does.
    const top = async (goal: string) => (await store.searchPatterns(goal, { limit: 1 }))[0]?.score;
    expect(await top("3 nginx replicas on k8s")).toBe(await top("three nginx replicas on kubernetes"));
    expect(await top("web apps behind HAProxy with a pg db")).toBe(await top(WEB_BEHIND_HAPROXY.goal));
    expect(await top("web applications behind haproxy with postgres databases")).toBe(
      await top(WEB_BEHIND_HAPROXY.goal),
    );
  });

  it("prefers the pattern built on what the goal names (HAProxy) over one of the same kind (ELB)", async () => {
    const store = await fresh();
    await store.savePattern(WEB_BEHIND_ELB);
    await store.savePattern(WEB_BEHIND_HAPROXY);
    const haproxy = await store.searchPatterns("web app behind haproxy with postgres");
    expect(haproxy.map((hit) => hit.item.deployment)).toEqual(["customer-portal", "aws-web"]);
    const elb = await store.searchPatterns("web app behind an aws elb with postgres");
    expect(elb[0]!.item.deployment).toBe("aws-web");
    // Asked for just a load balancer, both qualify.
    const generic = await store.searchPatterns("web app behind a load balancer with postgres");
    expect(generic.every((hit) => hit.score > 0.5)).toBe(true);
  });

  it("holds a pattern built for much more than was asked below the reuse threshold", async () => {
    const store = await fresh();
    await store.savePattern(WEB_BEHIND_HAPROXY);
    const [hit] = await store.searchPatterns("a postgres database");
    expect(hit).toBeDefined();
    expect(hit!.score).toBeLessThan(0.6);
  });

  it("returns nothing for a goal with nothing in common, or no words at all", async () => {
    const store = await fresh();
    await store.savePattern(WEB_BEHIND_HAPROXY);
    expect(await store.searchPatterns("kafka streaming cluster")).toEqual([]);
    expect(await store.searchPatterns("   ")).toEqual([]);
    expect(await store.searchPatterns("the a with and")).toEqual([]);
  });
}

/** Limits, and saving the same pattern again. */
function describePatternWrites(fresh: Fresh): void {
  it("honours limit and minScore, and rejects a bad limit", async () => {
    const store = await fresh();
    for (const input of [WEB_BEHIND_HAPROXY, WEB_BEHIND_ELB, DNS_AND_DHCP, KUBERNETES_NGINX])
      await store.savePattern(input);
    const all = await store.searchPatterns("web app with postgres on aws", { limit: 10 });
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all.map((hit) => hit.score)).toEqual([...all.map((hit) => hit.score)].sort((a, b) => b - a));
    expect(await store.searchPatterns("web app with postgres on aws", { limit: 1 })).toHaveLength(1);
    const strict = await store.searchPatterns("web app with postgres on aws", {
      limit: 10,
      minScore: all[0]!.score,
    });
    expect(strict.every((hit) => hit.score >= all[0]!.score)).toBe(true);
    expect(strict.length).toBeLessThan(all.length);
    await expect(store.searchPatterns("web", { limit: 0 })).rejects.toThrow(/limit/);
  });

  it("bumps uses instead of duplicating the same goal and spec shape, keeping the newest spec", async () => {
    const store = await fresh();
    const first = await store.savePattern(WEB_BEHIND_HAPROXY);
    const changedValues = structuredClone(WEB_BEHIND_HAPROXY);
    changedValues.goal = "  Web application behind HAProxy   with a PostgreSQL database ";
    changedValues.spec.resources[0]!.properties["instanceType"] = "t3.large";
    const again = await store.savePattern(changedValues);
    expect(again.id).toBe(first.id);
    expect(again.uses).toBe(2);
    expect(again.createdAt).toBe(first.createdAt);
    expect(again.spec.resources[0]!.properties["instanceType"]).toBe("t3.large");
    expect(await store.listPatterns()).toHaveLength(1);
    expect((await store.searchPatterns("web application haproxy postgres"))[0]!.item.uses).toBe(2);

    const otherShape = structuredClone(WEB_BEHIND_HAPROXY);
    otherShape.spec.resources.pop();
    const third = await store.savePattern(otherShape);
    expect(third.id).not.toBe(first.id);
    expect(await store.listPatterns()).toHaveLength(2);
  });

  it("markUsed counts a reuse and ignores an id that is gone", async () => {
    const store = await fresh();
    const saved = await store.savePattern(KUBERNETES_NGINX);
    await store.markUsed(saved.id);
    await store.markUsed("pat-0000000000000000");
    const [listed] = await store.listPatterns();
    expect(listed!.uses).toBe(2);
    expect(listed!.lastUsedAt >= saved.lastUsedAt).toBe(true);
  });
}

/** Forgetting by id, prefix, or all. */
function describeForget(fresh: Fresh): void {
  it("forgets by id, by unique prefix (with or without its kind) and reports ambiguity", async () => {
    const store = await fresh();
    const a = await store.savePattern(WEB_BEHIND_HAPROXY);
    const b = await store.savePattern(DNS_AND_DHCP);
    const c = await store.savePattern(KUBERNETES_NGINX);
    const lesson = await store.saveLesson({
      errorCode: "CONFLICT",
      type: "aws:rds:instance",
      context: "create app-db: busy",
      fix: "retry: it passed",
    });

    expect(await store.forget(a.id)).toBe(1);
    expect(await store.forget(b.id.slice(0, 12))).toBe(1);
    expect(await store.forget(c.id.slice(4, 14))).toBe(1);
    expect(await store.listPatterns()).toEqual([]);
    expect(await store.searchPatterns(KUBERNETES_NGINX.goal)).toEqual([]);
    expect(await store.forget(lesson.id.slice(0, 10))).toBe(1);
    expect(await store.listLessons()).toEqual([]);
    expect(await store.forget("pat-ffff")).toBe(0);

    await store.savePattern(WEB_BEHIND_HAPROXY);
    await store.savePattern(DNS_AND_DHCP);
    const error = await store.forget("pat-").catch((caught: unknown) => caught);
    expect(MemoryError.isInstance(error)).toBe(true);
    expect((error as MemoryError).code).toBe("MEMORY_AMBIGUOUS_ID");
    expect((error as MemoryError).message).toMatch(/matches 2 remembered items/);
    expect(await store.listPatterns()).toHaveLength(2);
    await expect(store.forget("  ")).rejects.toThrow(/give the id/);
  });

  it("forgetAll empties patterns and lessons and says how many", async () => {
    const store = await fresh();
    expect(await store.forgetAll()).toBe(0);
    await store.savePattern(WEB_BEHIND_HAPROXY);
    await store.savePattern(DNS_AND_DHCP);
    await store.saveLesson({
      errorCode: "TIMEOUT",
      type: "docker:container:run",
      context: "start web",
      fix: "retry",
    });
    expect(await store.forgetAll()).toBe(3);
    expect(await store.listPatterns()).toEqual([]);
    expect(await store.listLessons()).toEqual([]);
    expect(await store.searchPatterns(WEB_BEHIND_HAPROXY.goal)).toEqual([]);
    // The store keeps working after being emptied.
    await store.savePattern(DNS_AND_DHCP);
    expect((await store.searchPatterns("dhcp range"))[0]?.item.deployment).toBe("office-net");
  });
}

/** Lessons: search order and reuse. */
function describeLessons(fresh: Fresh): void {
  it("finds lessons: exact error code and type first, then partial matches, then text", async () => {
    const store = await fresh();
    const exact = await store.saveLesson({
      errorCode: "CONFLICT",
      type: "aws:rds:instance",
      context: "create app-db: another operation in progress",
      fix: "retry after the conflicting operation finished",
    });
    const sameCode = await store.saveLesson({
      errorCode: "CONFLICT",
      type: "docker:container:run",
      context: "run web: name already in use by a stopped container",
      fix: "revise: rename the container",
    });
    const sibling = await store.saveLesson({
      errorCode: "QUOTA_EXCEEDED",
      type: "aws:rds:cluster",
      context: "create db cluster: instance quota reached for db.r5",
      fix: "revise: smaller instance class",
    });
    await store.saveLesson({
      errorCode: "VALIDATION_FAILED",
      type: "opnsense:network:vlan",
      context: "vlan tag 5000 out of range",
      fix: "revise: tag between 1 and 4094",
    });

    const byStructure = await store.findLessons({ errorCode: "CONFLICT", type: "aws:rds:instance" });
    expect(byStructure[0]!.item.id).toBe(exact.id);
    expect(byStructure[0]!.score).toBe(1);
    expect(byStructure.map((hit) => hit.item.id)).toContain(sameCode.id);
    expect(byStructure.find((hit) => hit.item.id === sameCode.id)!.score).toBeLessThan(0.7);

    // Text that fits a partial match better still cannot lift it over the exact one.
    const withText = await store.findLessons({
      errorCode: "CONFLICT",
      type: "aws:rds:instance",
      text: "container name already in use",
    });
    expect(withText[0]!.item.id).toBe(exact.id);
    expect(withText[1]!.item.id).toBe(sameCode.id);

    const byText = await store.findLessons({ text: "quota reached for the database instance class" });
    expect(byText[0]!.item.id).toBe(sibling.id);
    const vlan = await store.findLessons({ text: "VLAN tag out of range" }, 1);
    expect(vlan).toHaveLength(1);
    expect(vlan[0]!.item.errorCode).toBe("VALIDATION_FAILED");
    expect(await store.findLessons({})).toEqual([]);
    expect(await store.findLessons({ errorCode: "UNAUTHORIZED", type: "kubernetes:core:service" })).toEqual(
      [],
    );
  });

  it("bumps a lesson's uses when the same error, type and fix come again", async () => {
    const store = await fresh();
    const first = await store.saveLesson({
      errorCode: "THROTTLED",
      type: "aws:ec2:instance",
      context: "create app-1: rate exceeded",
      fix: "retry with backoff",
    });
    const again = await store.saveLesson({
      errorCode: "THROTTLED",
      type: "aws:ec2:instance",
      context: "create app-2: rate exceeded",
      fix: "Retry with  backoff",
    });
    expect(again.id).toBe(first.id);
    expect(again.uses).toBe(2);
    expect(again.context).toBe("create app-2: rate exceeded");
    expect(await store.listLessons()).toHaveLength(1);
  });
}

/** What a store refuses and what it hands out. */
function describeGuards(fresh: Fresh): void {
  it("rejects what it cannot remember with a clear error", async () => {
    const store = await fresh();
    await expect(store.savePattern({ ...WEB_BEHIND_HAPROXY, goal: " " })).rejects.toThrow(/goal is empty/);
    await expect(
      store.savePattern({ ...WEB_BEHIND_HAPROXY, outcome: "failed" as "succeeded" }),
    ).rejects.toThrow(/only deployments that succeeded/);
    await expect(store.savePattern({ ...WEB_BEHIND_HAPROXY, spec: { name: "x" } as never })).rejects.toThrow(
      /spec is not/,
    );
    await expect(store.saveLesson({ errorCode: "", type: "x", context: "", fix: "" })).rejects.toThrow(
      /error code is empty/,
    );
    expect(await store.listPatterns()).toEqual([]);
  });

  it("hands out copies: changing a returned pattern does not change memory", async () => {
    const store = await fresh();
    const saved = await store.savePattern(KUBERNETES_NGINX);
    saved.spec.resources.length = 0;
    const [hit] = await store.searchPatterns(KUBERNETES_NGINX.goal);
    hit!.item.goal = "changed";
    const [listed] = await store.listPatterns();
    expect(listed!.spec.resources).toHaveLength(2);
    expect(listed!.goal).toBe(KUBERNETES_NGINX.goal);
  });
}
