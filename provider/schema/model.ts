/**
 * The shape of the one definition of the package's resources (provider/schema/*.ts), from
 * which generate.ts writes schema.json and against which the zod input schemas and the SDK's
 * argument types are tested (test/unit/sdk/schema.test.ts).
 */

/** A property's type, in the few forms the package uses; `ref` names an object type of the package. */
export type PropertyType =
  "string" | "integer" | "number" | "boolean" | "any" | "stringList" | "stringMap" | { readonly enum: readonly string[] } | { readonly ref: string };

export interface PropertyDefinition {
  readonly type: PropertyType;
  readonly description: string;
  /** Pulumi keeps it encrypted in state. */
  readonly secret?: boolean;
}

/** An input property; inputs are optional unless `required`. */
export interface InputDefinition extends PropertyDefinition {
  readonly required?: boolean;
}

/** An output property; outputs are always set unless `optional`. */
export interface OutputDefinition extends PropertyDefinition {
  readonly optional?: boolean;
}

/** How `pulumi import` takes a resource: its id's shape, what else to know, and an example. */
export interface ImportDefinition {
  /** What the resource is called in a sentence ("volume", "group snapshot"). */
  readonly noun: string;
  readonly idShape: string;
  /** What the import needs or does beyond reading the resource; empty when nothing. */
  readonly note: string;
  readonly example: { readonly name: string; readonly id: string };
}

export interface ResourceDefinition {
  readonly token: string;
  readonly description: string;
  readonly import: ImportDefinition;
  readonly inputs: Readonly<Record<string, InputDefinition>>;
  readonly outputs: Readonly<Record<string, OutputDefinition>>;
}

export interface ObjectTypeDefinition {
  readonly description: string;
  readonly properties: Readonly<Record<string, InputDefinition>>;
}
