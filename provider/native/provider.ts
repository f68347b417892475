import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { providers } from "..";
import { addressOfUrn, defaultName, resourceUuid, type ResourceAddress } from "../identity";
import { conceal, reveal, secretKeys } from "../secrets";
import type { RawProperties } from "../validation";

/** The package root (schema.json and package.json live there), found by the package's own name. */
const packageRoot = dirname(require.resolve("cinderblock/package.json"));

function addressOf(urn: string): ResourceAddress {
  const address = addressOfUrn(urn);
  if (!address) throw new Error(`cinderblock has no resource type in ${urn}`);
  return address;
}

const plain = (properties: RawProperties | undefined): RawProperties => reveal(properties ?? {}) as RawProperties;

/**
 * Fills in what the dynamic SDK computes in the program: the uuid and the default name, from
 * the URN. A resource that exists keeps its uuid and name (as Pulumi keeps auto-names), which
 * also makes an imported volume keep the name it was imported with.
 */
function withIdentity(address: ResourceAddress, olds: RawProperties, news: RawProperties): RawProperties {
  const uuid = news.uuid ?? olds.uuid ?? resourceUuid(address);
  const name = news.name ?? olds.name ?? (typeof uuid === "string" ? defaultName(address.name, address.kind, uuid) : undefined);
  return { ...news, uuid, name };
}

/**
 * The native plugin (`pulumi-resource-cinderblock`): the same handlers as the dynamic provider,
 * behind the package tokens `cinderblock:index:Volume` and `cinderblock:index:Snapshot`. Unlike
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
    return providers[addressOf(urn).kind].diff(id, plain(olds), plain(news));
  }

  async create(urn: string, inputs: RawProperties): Promise<pulumi.provider.CreateResult> {
    const { id, outs } = await providers[addressOf(urn).kind].create(plain(inputs));
    return { id, outs: conceal(outs, secretKeys(inputs)) };
  }

  /** With `props` empty (import), everything comes from the id. */
  async read(id: string, urn: string, props?: RawProperties): Promise<pulumi.provider.ReadResult> {
    const result = await providers[addressOf(urn).kind].read(id, plain(props));
    const secret = secretKeys(props);
    return { id: result.id, props: conceal(result.props, secret), inputs: conceal(result.inputs, secret) };
  }

  async update(id: string, urn: string, olds: RawProperties, news: RawProperties): Promise<pulumi.provider.UpdateResult> {
    const update = providers[addressOf(urn).kind].update;
    if (!update) throw new Error(`${urn} cannot be updated in place; its diff always replaces it`);
    const { outs } = await update(id, plain(olds), plain(news));
    return { outs: conceal(outs, secretKeys(news)) };
  }

  async delete(id: string, urn: string, props: RawProperties): Promise<void> {
    await providers[addressOf(urn).kind].delete(id, plain(props));
  }
}
