import type * as pulumi from "@pulumi/pulumi";

/**
 * The options of a resource declared with `adopt`: an LV adopted from outside held data before
 * the stack knew it, so by default the stack does not delete it (as `pulumi import` protects
 * what it imports), neither when the resource leaves the program nor when it is replaced (the
 * engine skips a retained resource's delete in both cases). An `adopt` the program cannot see
 * yet (an Output or a Promise) counts as adopting: leaving an LV behind can be undone, deleting
 * one cannot. An explicit `retainOnDelete` always wins.
 */
export function retainAdopted<O extends pulumi.CustomResourceOptions>(adopt: pulumi.Input<boolean> | undefined, opts: O | undefined): O | undefined {
  if (adopt === undefined || adopt === false || opts?.retainOnDelete !== undefined) return opts;
  return { ...opts, retainOnDelete: true } as O;
}
