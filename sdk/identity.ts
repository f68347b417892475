import * as pulumi from "@pulumi/pulumi";
import { nameStem, resourceUuid, type ResourceKind } from "../provider/identity";

/**
 * What a resource being declared sends for its identity: the seed the provider's check derives
 * a new resource's uuid from, and, when the program sets no `name`, the stem of the default
 * name the check completes with 8 hex digits of that uuid. The seed is where the resource sits
 * in the program (project, stack, kind, name), so a retried create finds the LV a crashed
 * attempt made; once the resource exists, check keeps the uuid and name its state holds, and a
 * rename of the stack, the project or the resource (with `aliases`) changes nothing
 * (provider/keepIdentity.ts).
 */
export function identityOf(kind: ResourceKind, resourceName: string, name: pulumi.Input<string> | undefined): { seed: string; autoName?: string } {
  const seed = resourceUuid({ project: pulumi.getProject(), stack: pulumi.getStack(), kind, name: resourceName });
  return name === undefined ? { seed, autoName: nameStem(resourceName, kind) } : { seed };
}
