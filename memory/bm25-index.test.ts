import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Bm25Index } from "./bm25-index.ts";

const all = { limit: 100, minScore: 0 };

describe("Bm25Index", () => {
  it("scores a document whose title is the query 1, and one sharing nothing not at all", () => {
    const index = new Bm25Index();
    const same = index.add(["web", "app", "postgres", "aws", "ec2"], ["web", "app", "postgres"]);
    index.add(["dns", "override"], ["dns", "override"]);
    const hits = index.search(["web", "app", "postgres"], all);
    expect(hits.map((hit) => hit.slot)).toEqual([same]);
    expect(hits[0]!.score).toBeCloseTo(1, 6);
  });

  it("ranks by coverage of the query, weighted by rarity", () => {
    const index = new Bm25Index();
    for (let n = 0; n < 20; n++) index.add(["web", `filler${n}`], ["web"]);
    const rare = index.add(["web", "haproxy"], ["web", "haproxy"]);
    const common = index.add(["web", "app"], ["web", "app"]);
    const hits = index.search(["web", "haproxy"], all);
    expect(hits[0]!.slot).toBe(rare);
    const commonHit = hits.find((hit) => hit.slot === common)!;
    // "web" is in every document, so matching only it is worth little.
    expect(commonHit.score).toBeLessThan(0.3);
  });

  it("lowers the score of a document built for much more than the query asks", () => {
    const index = new Bm25Index();
    const small = index.add(["postgres"], ["postgres"]);
    const big = index.add(
      ["postgres", "web", "haproxy", "vlan", "dns"],
      ["postgres", "web", "haproxy", "vlan", "dns"],
    );
    const hits = index.search(["postgres"], all);
    expect(hits.map((hit) => hit.slot)).toEqual([small, big]);
    expect(hits[1]!.score).toBeLessThan(0.6);
  });

  it("forgets removed documents and keeps answering after compaction", () => {
    const index = new Bm25Index();
    const slots = Array.from({ length: 200 }, (_, n) => index.add([`t${n}`, "shared"], [`t${n}`]));
    for (const slot of slots.slice(0, 150)) index.remove(slot);
    expect(index.size).toBe(50);
    expect(index.search(["t3"], all)).toEqual([]);
    const hits = index.search(["shared"], all);
    expect(hits).toHaveLength(50);
    expect(hits.every((hit) => hit.slot >= 150)).toBe(true);
    expect(index.search(["t170"], all).map((hit) => hit.slot)).toEqual([170]);
  });

  it("applies limit, minScore and the tie-break", () => {
    const index = new Bm25Index();
    const slots = Array.from({ length: 30 }, () => index.add(["web"], ["web"]));
    expect(index.search(["web"], { limit: 3, minScore: 0 })).toHaveLength(3);
    const reversed = index.search(["web"], { limit: 3, minScore: 0, tieBreak: (a, b) => b - a });
    expect(reversed.map((hit) => hit.slot)).toEqual(slots.slice(-3).reverse());
    expect(index.search(["web"], { limit: 3, minScore: 1.01 })).toEqual([]);
    expect(index.search([], all)).toEqual([]);
  });

  it("returns the same top hits with a small limit as the head of the full ranking", () => {
    const word = fc.constantFrom("web", "app", "db", "dns", "vlan", "lb", "k8s", "aws", "2", "3");
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ title: fc.array(word, { maxLength: 4 }), body: fc.array(word, { maxLength: 8 }) }),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 5 }),
        (documents, query, limit) => {
          const index = new Bm25Index();
          for (const document of documents) index.add([...document.title, ...document.body], document.title);
          const head = index.search(query, { limit: 1000, minScore: 0 }).slice(0, limit);
          expect(index.search(query, { limit, minScore: 0 })).toEqual(head);
        },
      ),
    );
  });
});
