/**
 * Validates JSON against OpenAI's official OpenAPI description
 * (vendored in `test/fixtures/openai/`, or `OPENAI_OPENAPI_SPEC`), so the OpenAI
 * fake and the requests our adapter sends cannot drift from the real API.
 *
 * The whole document is added to ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1)
 * under one `$id`, so the spec's own `#/components/schemas/...` references resolve as
 * written; a schema is validated by pointer into it.
 *
 * Known quirks of the description, handled here and only here:
 * - some `oneOf` unions overlap: a rich input message (`{type: 'message', role, content: [...]}`)
 *   matches both `EasyInputMessage` and `Item` → `InputMessage` in `InputItem`, so a valid
 *   request fails "must match exactly one". For the unions listed in `OVERLAPPING_ONE_OF`
 *   the validator relaxes `oneOf` to `anyOf` (at least one branch must still match);
 *   every other `oneOf` keeps its exact-one meaning;
 * - `discriminator` and the `x-*` extensions are OpenAPI annotations, not JSON Schema:
 *   ignored (`strict: false`), the branches themselves still decide;
 * - `nullable: false` (an OpenAPI 3.0 keyword, and the default anyway) appears once, next to an
 *   `anyOf` without `type` (`CreateModerationRequest.model`), where ajv refuses to compile it:
 *   those `nullable: false` are dropped; `nullable: true` keeps ajv's meaning;
 * - OpenAPI's non-standard formats (`unixtime`, `int64`, `double`, ...) are accepted as
 *   annotations; the `type` next to them is still checked;
 * - a few bodies have no schema, only an example in the operation's `x-oaiMeta` (the 200 of
 *   `DELETE /responses/{id}`): `EXAMPLE_SHAPED` gives each a strict schema of exactly that
 *   example's shape, validated by the name `operation:<operationId>`, and `exampleFor` returns
 *   the example itself so a test can hold the two together.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const SPEC_PATH =
  process.env.OPENAI_OPENAPI_SPEC ??
  fileURLToPath(new URL('../fixtures/openai/openai-openapi.yaml', import.meta.url));
const SPEC_ID = 'https://spec.openai.local/openapi.json';

/**
 * Unions whose branches overlap (see the file comment): validated as `anyOf`. Only
 * `InputItem` needs it (checked: a rich `message` item fails exact-one there and nowhere else).
 */
const OVERLAPPING_ONE_OF: readonly string[] = ['InputItem'];

/** Bodies documented only by an example: where the example is, and the schema of its shape. */
const EXAMPLE_SHAPED: Readonly<Record<string, { path: string; method: string; schema: object }>> = {
  'operation:deleteResponse': {
    path: '/responses/{response_id}',
    method: 'delete',
    schema: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        object: { const: 'response' },
        deleted: { const: true },
      },
      required: ['id', 'object', 'deleted'],
      additionalProperties: false,
    },
  },
};

const ANNOTATION_FORMATS = [
  'unixtime',
  'int64',
  'int32',
  'double',
  'float',
  'binary',
  'png',
  'json',
  'verbose_json',
  'diarized_json',
];

export interface SpecValidation {
  readonly valid: boolean;
  /** Human-readable errors (empty when valid). */
  readonly errors: string[];
}

export interface OpenAISpec {
  /** Validate `value` against `#/components/schemas/<name>` (or an `operation:<id>` example shape). */
  validate(schemaName: string, value: unknown): SpecValidation;
  /** The documented example body behind an `operation:<id>` name, parsed. */
  exampleFor(schemaName: string): unknown;
  /** The schema names a `ResponseStreamEvent` of this `type` must satisfy (e.g. `ResponseCompletedEvent`). */
  eventSchemaFor(eventType: string): string | undefined;
  readonly schemaNames: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Document {
  readonly components: { schemas: Record<string, Json> };
  readonly paths: Record<string, Record<string, { 'x-oaiMeta'?: { examples?: { response?: string } } }>>;
}

let cached: OpenAISpec | undefined;

/** Loads and compiles the description once per test file (parsing 3 MB of YAML takes a moment). */
export function loadOpenAISpec(): OpenAISpec {
  cached ??= compile(parse(readFileSync(SPEC_PATH, 'utf8')) as Document);
  return cached;
}

function compile(document: Document): OpenAISpec {
  const schemas = document.components.schemas;
  for (const name of OVERLAPPING_ONE_OF) {
    const schema = schemas[name];
    if (schema && typeof schema === 'object' && !Array.isArray(schema) && Array.isArray(schema.oneOf)) {
      schemas[name] = { ...schema, anyOf: schema.oneOf, oneOf: undefined as never };
      delete (schemas[name] as Record<string, Json>).oneOf;
    }
  }

  dropFalseNullable(schemas);

  const ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: false });
  const addFormats =
    (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  for (const format of ANNOTATION_FORMATS) ajv.addFormat(format, true);
  ajv.addSchema({ $id: SPEC_ID, components: document.components } as object);

  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (name: string): ValidateFunction => {
    let validator = validators.get(name);
    const shaped = EXAMPLE_SHAPED[name];
    if (!validator && shaped) {
      validator = ajv.compile(shaped.schema);
      validators.set(name, validator);
    }
    if (!validator) {
      if (!(name in schemas)) throw new Error(`No schema named ${name} in the OpenAI description`);
      validator = ajv.getSchema(`${SPEC_ID}#/components/schemas/${name}`);
      if (!validator) throw new Error(`Could not compile ${name}`);
      validators.set(name, validator);
    }
    return validator;
  };

  const eventSchemas = new Map<string, string>();
  const union = schemas.ResponseStreamEvent as { anyOf?: Array<{ $ref?: string }> };
  for (const member of union.anyOf ?? []) {
    const name = member.$ref?.split('/').pop();
    const schema = name ? (schemas[name] as { properties?: { type?: { enum?: string[] } } }) : undefined;
    for (const type of schema?.properties?.type?.enum ?? []) if (name) eventSchemas.set(type, name);
  }

  return {
    schemaNames: Object.keys(schemas),
    validate(schemaName, value) {
      const validator = validatorFor(schemaName);
      const valid = validator(value) as boolean;
      return { valid, errors: valid ? [] : formatErrors(validator.errors) };
    },
    eventSchemaFor: (eventType) => eventSchemas.get(eventType),
    exampleFor(schemaName) {
      const shaped = EXAMPLE_SHAPED[schemaName];
      const example =
        shaped && document.paths[shaped.path]?.[shaped.method]?.['x-oaiMeta']?.examples?.response;
      if (example === undefined) throw new Error(`No documented example for ${schemaName}`);
      return JSON.parse(example) as unknown;
    },
  };
}

/** Removes every `nullable: false` (see the file comment), in place. */
function dropFalseNullable(value: Json): void {
  if (Array.isArray(value)) return value.forEach(dropFalseNullable);
  if (value === null || typeof value !== 'object') return;
  if (value.nullable === false) delete value.nullable;
  Object.values(value).forEach(dropFalseNullable);
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
