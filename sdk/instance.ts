import type { ResourceKind } from "../provider/identity";

/** The type the dynamic SDK registers `kind` under (pulumi.dynamic.Resource prefixes the module). */
export const dynamicType = (kind: ResourceKind): string => `pulumi-nodejs:dynamic/cinderblock:${kind}`;

/**
 * Whether `obj` is a resource registered under `type`: the test Pulumi's generated classes make
 * in `isInstance`, which holds across several copies of the package in one program, unlike
 * `instanceof`.
 */
export function isResourceOf(obj: unknown, type: string): boolean {
  return typeof obj === "object" && obj !== null && (obj as { __pulumiType?: unknown }).__pulumiType === type;
}
