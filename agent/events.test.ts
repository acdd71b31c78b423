import { describe, expect, it } from "vitest";
import { eventLine, type StampedEvent, stampEvents } from "./events.ts";

describe("stampEvents", () => {
  it("numbers events from 1 in the order they come and times each with the clock given", () => {
    const seen: StampedEvent[] = [];
    let tick = Date.parse("2026-12-02T12:00:00.000Z");
    const clock = () => {
      tick += 1000;
      return new Date(tick);
    };
    const emit = stampEvents((event) => seen.push(event), clock);
    emit({ type: "notice", level: "info", message: "one" });
    emit({ type: "reconcile.started", pending: 2 });
    expect(seen).toEqual([
      { type: "notice", level: "info", message: "one", seq: 1, ts: "2026-12-02T12:00:01.000Z" },
      { type: "reconcile.started", pending: 2, seq: 2, ts: "2026-12-02T12:00:02.000Z" },
    ]);
  });
});

describe("eventLine", () => {
  it("is one JSON document on one line, whatever newlines the event's text holds", () => {
    const line = eventLine({
      type: "planner.understood",
      summary: "a VLAN\nNotes:\n  - none",
      seq: 3,
      ts: "t",
    });
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual({
      type: "planner.understood",
      summary: "a VLAN\nNotes:\n  - none",
      seq: 3,
      ts: "t",
    });
  });
});
