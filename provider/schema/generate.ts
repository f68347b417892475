import type { ImportDefinition, InputDefinition, OutputDefinition, PropertyDefinition, PropertyType, ResourceDefinition } from "./model";
import { languages, objectTypes, packageInfo, PACKAGE_NAME, providerDescription, providerSettings, REPOSITORY, resources } from "./package";

/** What schema.json takes from package.json, so that a release changes one file. */
export interface Manifest {
  version: string;
  license: string;
  dependencies: Record<string, string>;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const typeToken = (name: string): string => `${PACKAGE_NAME}:index:${name}`;

function typeSpec(type: PropertyType): Record<string, Json> {
  if (type === "any") return { $ref: "pulumi.json#/Any" };
  if (type === "stringList") return { type: "array", items: { type: "string" } };
  if (type === "stringMap") return { type: "object", additionalProperties: { type: "string" } };
  if (typeof type === "string") return { type };
  if ("enum" in type) return { type: "string", enum: type.enum.map((value) => ({ value })) };
  if (!(type.ref in objectTypes)) throw new Error(`a property refers to object type ${type.ref}, which provider/schema/package.ts does not list`);
  return { $ref: `#/types/${typeToken(type.ref)}` };
}

function propertySpec(property: PropertyDefinition): Record<string, Json> {
  return { ...typeSpec(property.type), ...(property.secret ? { secret: true } : {}), description: property.description };
}

function propertySpecs(properties: Readonly<Record<string, PropertyDefinition>>): Record<string, Json> {
  return Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, propertySpec(property)]));
}

const requiredInputs = (inputs: Readonly<Record<string, InputDefinition>>): string[] =>
  Object.entries(inputs)
    .filter(([, input]) => input.required === true)
    .map(([name]) => name);

const requiredOutputs = (outputs: Readonly<Record<string, OutputDefinition>>): string[] =>
  Object.entries(outputs)
    .filter(([, output]) => output.optional !== true)
    .map(([name]) => name);

/** The "## Import" section Pulumi's docs generator shows: the id's shape and the exact command. */
function importSection(token: string, about: ImportDefinition): string {
  const article = /^[aeiou]/i.test(about.noun) ? "An" : "A";
  const note = about.note ? ` ${about.note}` : "";
  const command = `$ pulumi import ${token} ${about.example.name} '${about.example.id}'`;
  return `${article} ${about.noun} is imported by its id, \`${about.idShape}\`, through the native plugin.${note}\n\n\`\`\`sh\n${command}\n\`\`\`\n`;
}

function resourceSpec(resource: ResourceDefinition): Record<string, Json> {
  return {
    description: `${resource.description}\n\n## Import\n\n${importSection(resource.token, resource.import)}`,
    inputProperties: propertySpecs(resource.inputs),
    requiredInputs: requiredInputs(resource.inputs),
    properties: propertySpecs(resource.outputs),
    required: requiredOutputs(resource.outputs),
  };
}

/** The package schema the native plugin serves and Pulumi's SDK generators read. */
export function packageSchema(manifest: Manifest): Record<string, Json> {
  const pulumiVersion = manifest.dependencies["@pulumi/pulumi"];
  if (pulumiVersion === undefined) throw new Error("package.json must depend on @pulumi/pulumi");
  return {
    name: packageInfo.name,
    displayName: packageInfo.displayName,
    version: manifest.version,
    description: packageInfo.description,
    keywords: [...packageInfo.keywords],
    homepage: REPOSITORY,
    repository: REPOSITORY,
    publisher: packageInfo.publisher,
    license: manifest.license,
    // Pulumi's scheme for a GitHub release: github://api.github.com/<owner>/<repository>.
    pluginDownloadURL: `github://api.github.com/${new URL(REPOSITORY).pathname.slice(1)}`,
    language: {
      ...languages,
      nodejs: { ...languages.nodejs, dependencies: { "@pulumi/pulumi": pulumiVersion }, respectSchemaVersion: true },
    },
    config: { variables: propertySpecs(providerSettings) },
    provider: { description: providerDescription, inputProperties: propertySpecs(providerSettings) },
    resources: Object.fromEntries(resources.map((resource) => [resource.token, resourceSpec(resource)])),
    types: Object.fromEntries(
      Object.entries(objectTypes).map(([name, type]) => {
        const required = requiredInputs(type.properties);
        return [
          typeToken(name),
          { type: "object", description: type.description, properties: propertySpecs(type.properties), ...(required.length > 0 ? { required } : {}) },
        ];
      }),
    ),
  };
}

/** schema.json's text: two-space JSON and a final newline, so regenerating is byte-stable. */
export function schemaText(manifest: Manifest): string {
  return `${JSON.stringify(packageSchema(manifest), null, 2)}\n`;
}
