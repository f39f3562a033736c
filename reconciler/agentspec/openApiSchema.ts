// The part of OpenAPI v3 a Kubernetes CRD accepts as a structural schema (apiextensions.k8s.io/v1
// JSONSchemaProps), typed so a schema literal is checked by the compiler: the AgentSpec schema
// (agentSpecSchema.ts) is written once in this form and the CRD is generated from it.

/** A CEL rule the API server evaluates with `self` bound to the value of the node it sits on. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** The field the error names, relative to the node (e.g. `.standby`). */
  readonly fieldPath?: string;
}

export interface OpenApiSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly description?: string;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly additionalProperties?: OpenApiSchema;
  readonly items?: OpenApiSchema;
  readonly anyOf?: readonly OpenApiSchema[];
  readonly default?: string | number | boolean;
  /** ECMA-262 and RE2 alike: the reconciler tests values with the same pattern (`new RegExp`). */
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly maxProperties?: number;
  readonly 'x-kubernetes-preserve-unknown-fields'?: true;
  readonly 'x-kubernetes-int-or-string'?: true;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-validations'?: readonly CelRule[];
}

/** `pattern` as a RegExp (patterns are unanchored unless they say `^...$`, as in OpenAPI). */
export function patternOf(schema: OpenApiSchema): RegExp {
  if (schema.pattern === undefined) throw new Error('schema node has no pattern');
  return new RegExp(schema.pattern);
}

/** The `maxLength` of a node that must have one (a programming error otherwise). */
export function maxLengthOf(schema: OpenApiSchema): number {
  if (schema.maxLength === undefined) throw new Error('schema node has no maxLength');
  return schema.maxLength;
}

/** The `maxItems` of a node that must have one. */
export function maxItemsOf(schema: OpenApiSchema): number {
  if (schema.maxItems === undefined) throw new Error('schema node has no maxItems');
  return schema.maxItems;
}

/** The `maxProperties` of a node that must have one. */
export function maxPropertiesOf(schema: OpenApiSchema): number {
  if (schema.maxProperties === undefined) throw new Error('schema node has no maxProperties');
  return schema.maxProperties;
}
