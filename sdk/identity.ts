import * as pulumi from "@pulumi/pulumi";
import { defaultName, resourceUuid, type ResourceKind } from "../provider/identity";

/**
 * The uuid and LV name of a resource being declared. A retried create must find the LV that a
 * crashed attempt made, so both derive from where the resource sits in the program (project,
 * stack, kind, name), never from chance.
 */
export function identityOf(kind: ResourceKind, resourceName: string, name: pulumi.Input<string> | undefined): { uuid: string; name: pulumi.Input<string> } {
  const uuid = resourceUuid({ project: pulumi.getProject(), stack: pulumi.getStack(), kind, name: resourceName });
  return { uuid, name: name ?? defaultName(resourceName, kind, uuid) };
}
