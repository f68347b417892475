import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { providers } from "..";
import { addressOfUrn, defaultName, resourceUuid, type ResourceAddress, type ResourceKind } from "../identity";
import { adoptReferenced, notePendingAdoption } from "./adoptOnUse";
import { completeAdoption, readAdoptable } from "./import";
import { conceal, reveal, secretKeys } from "../secrets";
import type { RawProperties } from "../validation";

/** The package root (schema.json and package.json live there), found by the package's own name. */
const packageRoot = dirname(require.resolve("pulumi-cinderblock/package.json"));

function addressOf(urn: string): ResourceAddress {
  const address = addressOfUrn(urn);
  if (!address) throw new Error(`cinderblock has no resource type in ${urn}`);
  return address;
}

const plain = (properties: RawProperties | undefined): RawProperties => reveal(properties ?? {}) as RawProperties;

/** What to keep secret in a handler's result: what was secret coming in, and the kind's generated secrets (a CHAP secret). */
function secretsOf(kind: ResourceKind, properties: RawProperties | undefined): Set<string> {
  return new Set([...secretKeys(properties), ...(providers[kind].secretOutputs ?? [])]);
}

/**
 * Fills in what the dynamic SDK computes in the program: the uuid and the default name, from
 * the URN. A resource that exists keeps its uuid and name (as Pulumi keeps auto-names), which
 * also makes an imported volume keep the name it was imported with.
 */
function withIdentity(address: ResourceAddress, olds: RawProperties, news: RawProperties): RawProperties {
  // A VolumeImage is a file, named by its target, and a VolumeAttachment a volume's access: neither has a uuid or LV name.
  if (address.kind === "VolumeImage" || address.kind === "VolumeAttachment") return news;
  const uuid = news.uuid ?? olds.uuid ?? resourceUuid(address);
  const name = news.name ?? olds.name ?? (typeof uuid === "string" ? defaultName(address.name, address.kind, uuid) : undefined);
  return { ...news, uuid, name };
}

/**
 * The native plugin (`pulumi-resource-cinderblock`): the same handlers as the dynamic provider,
 * behind the package tokens (`cinderblock:index:Volume` and the others). Unlike
 * the dynamic provider it answers Read with an id alone, so `pulumi import` works.
 */
export class CinderblockProvider implements pulumi.provider.Provider {
  readonly version: string = (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;

  async getSchema(): Promise<string> {
    return readFileSync(join(packageRoot, "schema.json"), "utf8");
  }

  async check(urn: string, olds: RawProperties, news: RawProperties): Promise<pulumi.provider.CheckResult> {
    const address = addressOf(urn);
    const [before, after] = [plain(olds), plain(news)];
    const result = await providers[address.kind].check(before, withIdentity(address, before, after));
    return { inputs: conceal(result.inputs, secretKeys(news)), failures: result.failures };
  }

  async diff(id: string, urn: string, olds: RawProperties, news: RawProperties): Promise<pulumi.provider.DiffResult> {
    const address = addressOf(urn);
    notePendingAdoption(address, id, plain(olds));
    return providers[address.kind].diff(id, plain(olds), plain(news));
  }

  async create(urn: string, inputs: RawProperties): Promise<pulumi.provider.CreateResult> {
    const kind = addressOf(urn).kind;
    await adoptReferenced(plain(inputs));
    const { id, outs } = await providers[kind].create(plain(inputs));
    return { id, outs: conceal(outs, secretsOf(kind, inputs)) };
  }

  /** With `props` empty (`pulumi import`), everything comes from the id; an unmanaged LV reads as adopting will make it (import.ts). Never writes. */
  async read(id: string, urn: string, props?: RawProperties): Promise<pulumi.provider.ReadResult> {
    const address = addressOf(urn);
    if (props && Object.keys(props).length > 0) notePendingAdoption(address, id, plain(props));
    const result = await readAdoptable(address, id, plain(props));
    const secret = secretsOf(address.kind, props);
    return { id: result.id, props: conceal(result.props, secret), inputs: conceal(result.inputs, secret) };
  }

  async update(id: string, urn: string, olds: RawProperties, news: RawProperties): Promise<pulumi.provider.UpdateResult> {
    const address = addressOf(urn);
    const kind = address.kind;
    const update = providers[kind].update;
    if (!update) throw new Error(`${urn} cannot be updated in place; its diff always replaces it`);
    await completeAdoption(address, id, plain(olds));
    await adoptReferenced(plain(news));
    const { outs } = await update(id, plain(olds), plain(news));
    return { outs: conceal(outs, secretsOf(kind, news)) };
  }

  async delete(id: string, urn: string, props: RawProperties): Promise<void> {
    const address = addressOf(urn);
    await completeAdoption(address, id, plain(props));
    await providers[address.kind].delete(id, plain(props));
  }
}
