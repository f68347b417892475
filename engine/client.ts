import type * as grpc from "@grpc/grpc-js";
import type { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { CheckRequest, CheckResponse } from "@pulumi/pulumi/proto/provider_pb";
import { emptyProto, fromStruct, grpcJs, providerProto, providerStubs, toStruct } from "./runtime";

export type Properties = Record<string, unknown>;

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult {
  inputs: Properties;
  failures: CheckFailure[];
}

export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface ReadResult {
  /** Empty when the resource is gone. */
  id: string;
  properties: Properties;
  /** Present when the provider returned inputs (refresh drift, import). */
  inputs?: Properties | undefined;
}

/** A failed RPC: the gRPC status code (2 UNKNOWN for a provider error, 12 UNIMPLEMENTED, ...) and the provider's message. */
export class ProviderCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`${method} failed: ${details}`);
    Object.defineProperty(this, "name", { value: "ProviderCallError", enumerable: false });
  }
}

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;
type Unary<Req, Res> = (request: Req, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: Callback<Res>) => grpc.ClientUnaryCall;

const DIFF_CHANGES: Record<number, DiffResult["changes"]> = {
  [providerProto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
  [providerProto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
  [providerProto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
};

/**
 * A resource provider over gRPC, called the way the Pulumi engine calls it, with plain JS
 * objects in and out. Used to test the dynamic-provider host and the native plugin without
 * the Pulumi CLI, and by the demo when the CLI is not installed.
 */
export class ProviderClient {
  private readonly stub: ResourceProviderClient;

  constructor(
    address: string,
    /** Per call; creates on slow (emulated) hosts take minutes. */
    private readonly timeoutMs = 600_000,
  ) {
    this.stub = new providerStubs.ResourceProviderClient(address, grpcJs.credentials.createInsecure());
  }

  async getPluginInfo(): Promise<{ version: string }> {
    const info = await this.call("GetPluginInfo", this.stub.getPluginInfo, new emptyProto.Empty());
    return { version: info.getVersion() };
  }

  async getSchema(): Promise<string> {
    const response = await this.call("GetSchema", this.stub.getSchema, new providerProto.GetSchemaRequest().setVersion(0));
    return response.getSchema();
  }

  /** `variables` are `pkg:config:key` strings; `args` the provider's arguments (the engine sends both). */
  /** The provider's own configuration check, which the engine runs before Configure. */
  async checkConfig(urn: string, olds: Properties, news: Properties): Promise<CheckResult> {
    return this.checkWith("CheckConfig", this.stub.checkConfig, urn, olds, news);
  }

  async configure(options: { variables?: Record<string, string>; args?: Properties }): Promise<{ acceptSecrets: boolean }> {
    const request = new providerProto.ConfigureRequest().setArgs(toStruct(options.args)).setAcceptsecrets(true).setAcceptresources(true);
    for (const [key, value] of Object.entries(options.variables ?? {})) request.getVariablesMap().set(key, value);
    const response = await this.call("Configure", this.stub.configure, request);
    return { acceptSecrets: response.getAcceptsecrets() };
  }

  async check(urn: string, olds: Properties, news: Properties): Promise<CheckResult> {
    return this.checkWith("Check", this.stub.check, urn, olds, news);
  }

  /** `olds` are the stored outputs, `news` the checked inputs. */
  async diff(id: string, urn: string, olds: Properties, news: Properties, oldInputs?: Properties): Promise<DiffResult> {
    const request = new providerProto.DiffRequest().setId(id).setUrn(urn).setOlds(toStruct(olds)).setNews(toStruct(news));
    if (oldInputs) request.setOldInputs(toStruct(oldInputs));
    const response = await this.call("Diff", this.stub.diff, request);
    return {
      changes: DIFF_CHANGES[response.getChanges()] ?? "unknown",
      replaces: response.getReplacesList(),
      deleteBeforeReplace: response.getDeletebeforereplace(),
    };
  }

  async create(urn: string, inputs: Properties): Promise<{ id: string; properties: Properties }> {
    const response = await this.call("Create", this.stub.create, new providerProto.CreateRequest().setUrn(urn).setProperties(toStruct(inputs)));
    return { id: response.getId(), properties: fromStruct(response.getProperties()) };
  }

  /**
   * Refresh sends the stored outputs and inputs; `pulumi import` sends the id alone (the engine
   * still marshals both, empty).
   */
  async read(id: string, urn: string, properties?: Properties, inputs?: Properties): Promise<ReadResult> {
    const request = new providerProto.ReadRequest().setId(id).setUrn(urn).setProperties(toStruct(properties)).setInputs(toStruct(inputs));
    const response = await this.call("Read", this.stub.read, request);
    return {
      id: response.getId(),
      properties: fromStruct(response.getProperties()),
      inputs: response.hasInputs() ? fromStruct(response.getInputs()) : undefined,
    };
  }

  async update(id: string, urn: string, olds: Properties, news: Properties, oldInputs?: Properties): Promise<{ properties: Properties }> {
    const request = new providerProto.UpdateRequest().setId(id).setUrn(urn).setOlds(toStruct(olds)).setNews(toStruct(news));
    if (oldInputs) request.setOldInputs(toStruct(oldInputs));
    const response = await this.call("Update", this.stub.update, request);
    return { properties: fromStruct(response.getProperties()) };
  }

  async delete(id: string, urn: string, properties: Properties): Promise<void> {
    await this.call("Delete", this.stub.delete, new providerProto.DeleteRequest().setId(id).setUrn(urn).setProperties(toStruct(properties)));
  }

  close(): void {
    this.stub.close();
  }

  /** Check and CheckConfig share their request and response messages. */
  private async checkWith(method: string, rpc: Unary<CheckRequest, CheckResponse>, urn: string, olds: Properties, news: Properties): Promise<CheckResult> {
    const request = new providerProto.CheckRequest().setUrn(urn).setOlds(toStruct(olds)).setNews(toStruct(news));
    const response = await this.call(method, rpc, request);
    return {
      inputs: fromStruct(response.getInputs()),
      failures: response.getFailuresList().map((failure) => ({ property: failure.getProperty(), reason: failure.getReason() })),
    };
  }

  private call<Req, Res>(method: string, rpc: Unary<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      rpc.call(this.stub, request, new grpcJs.Metadata(), { deadline: Date.now() + this.timeoutMs }, (error, response) => {
        if (error) reject(new ProviderCallError(method, error.code, error.details));
        else resolve(response);
      });
    });
  }
}
