import { describe, expect, it } from "vitest";
import { ResourceTypeSchema } from "./schemas.ts";

describe("ResourceTypeSchema", () => {
  it("accepts Kubernetes group/version:Kind types beside the usual ones", () => {
    for (const type of [
      "aws:ec2:instance",
      "opnsense:service:haproxy:backend",
      "kubernetes:v1:Secret",
      "kubernetes:apps/v1:StatefulSet",
      "kubernetes:networking.k8s.io/v1:Ingress",
      "prod:example.com/v1:Widget",
    ])
      expect(ResourceTypeSchema.safeParse(type).success, type).toBe(true);
  });

  it("still refuses a type without three segments, or with a path in its routing segment", () => {
    for (const type of [
      "kubernetes:Secret",
      "a/b:v1:Secret",
      "kubernetes::Secret",
      "kubernetes:/v1:Secret",
      ":v1:X",
    ])
      expect(ResourceTypeSchema.safeParse(type).success, type).toBe(false);
  });
});
