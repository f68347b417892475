import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider/identity";

/**
 * The provider object a resource hands to Pulumi. Pulumi serializes it, with everything it
 * captures, into every resource's state (`__provider`) and runs that text in the
 * dynamic-provider host. So it captures only the package name and `kind`, and loads the real
 * handlers at call time: the text stays small, never holds a secret, and stays byte-identical
 * when the implementation changes (no `~__provider` diffs; refresh and delete run the
 * installed code, not a stale copy). `require` is never captured: it runs in the host, whose
 * working directory is the program's, where `pulumi-cinderblock` is installed.
 */
function shimProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const implementation = "pulumi-cinderblock/provider";
  const load = (): pulumi.dynamic.ResourceProvider => require(implementation).providers[kind];
  return {
    configure: (request) => load().configure!(request),
    check: (olds, news) => load().check!(olds, news),
    diff: (id, olds, news) => load().diff!(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read!(id, props),
    update: (id, olds, news) => load().update!(id, olds, news),
    delete: (id, props) => load().delete!(id, props),
  };
}

/**
 * One shim object per kind for the whole program: Pulumi caches serializations per provider
 * object, so every resource of a kind reuses one serialization.
 */
export const shims: { readonly [K in ResourceKind]: pulumi.dynamic.ResourceProvider } = {
  Volume: shimProvider("Volume"),
  Snapshot: shimProvider("Snapshot"),
  VolumeImage: shimProvider("VolumeImage"),
  VolumeAttachment: shimProvider("VolumeAttachment"),
  ConsistencyGroup: shimProvider("ConsistencyGroup"),
  GroupSnapshot: shimProvider("GroupSnapshot"),
};
