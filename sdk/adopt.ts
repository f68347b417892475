import type * as pulumi from "@pulumi/pulumi";

/**
 * The options of a resource declared with `adopt`: an LV adopted from outside held data before
 * the stack knew it, so by default the stack does not delete it (as `pulumi import` protects
 * what it imports). Only a literal `true` can decide this while the program runs; an explicit
 * `retainOnDelete` always wins.
 */
export function retainAdopted<O extends pulumi.CustomResourceOptions>(adopt: pulumi.Input<boolean> | undefined, opts: O | undefined): O | undefined {
  if (adopt !== true || opts?.retainOnDelete !== undefined) return opts;
  return { ...opts, retainOnDelete: true } as O;
}
