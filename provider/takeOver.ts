import * as pulumi from "@pulumi/pulumi";

/**
 * `pulumi up --replace` (and a tainted resource) replace without asking the provider's Diff and
 * create the replacement first (pulumi/pulumi pkg/resource/deploy/step_generator.go: "If this
 * resource is marked for replacement, just return a "replace" diff that blames the id"), after
 * a Check without olds, which gives the replacement the identity of the resource it replaces
 * (same seed, same inputs: keepIdentity.ts). The driver's create, idempotent on that identity
 * so that a retried create finds a crashed attempt's work, then returns the old LV itself, and
 * the engine goes on to delete the old resource, whose id is now the replacement's.
 *
 * So a create that finds its object already in place notes the id, and the one delete of that
 * id which follows in this provider process (the engine runs one per deployment) leaves the
 * object to the resource that now holds it. A retried create is not followed by a delete of
 * its own id; a create that made something new notes nothing.
 */
const foundInPlace = new Set<string>();

/**
 * Runs `create`, noting its id when `exists` (asked first) said the object was already there.
 * A host that cannot be listed counts as not holding it, as in the driver's own search for a
 * retried create's work: an unreachable host must not stop creates on the others.
 */
export async function createNotingTakeOver<T extends { id: string }>(exists: () => Promise<boolean>, create: () => Promise<T>): Promise<T> {
  const existed = await exists().catch(() => false);
  const made = await create();
  if (existed) foundInPlace.add(made.id);
  return made;
}

/** True (once) when a create in this process took `id` over: its delete must then leave it alone, as this says in the engine log. */
export function leaveToTakeOver(id: string, what: string): boolean {
  if (!foundInPlace.delete(id)) return false;
  void pulumi.log.warn(`${what} ${id} was not deleted: its replacement, created in this run with the same identity (pulumi up --replace), holds it now`);
  return true;
}
