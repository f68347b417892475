import { randomUUID } from "node:crypto";
import { freshUuid } from "../provider/identity";

/**
 * The uuid of an object the CLI creates: `--uuid` when given; for a named object, a hash of the
 * whole request (as the Pulumi provider derives its uuids, provider/identity.ts), so the
 * identical command run again after a failure finds what its first attempt left and finishes
 * or redoes it, while any other request with that name gets another uuid and is refused as a
 * name conflict. An unnamed object gets a random uuid: two identical unnamed creates are two objects.
 */
export function requestUuid(given: string | undefined, command: string, request: Readonly<Record<string, unknown>> & { name?: string | undefined }): string {
  if (given !== undefined) return given;
  if (request.name === undefined) return randomUUID();
  return freshUuid(`cinderblock-cli\0${command}`, request);
}
