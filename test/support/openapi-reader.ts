/**
 * Reads an OpenAPI document the way a generated client does: resolves `$ref`s and validates
 * JSON values against the document's own JSON Schemas (draft 2020-12, as OpenAPI 3.1 uses),
 * independently of zod. Shared by the unit tests and the HTTP conformance test.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** A JSON object of the document, loosely typed. */
export type Json = Record<string, unknown>;

const DOCUMENT_ID = 'https://mivia.invalid/openapi.json';

export interface OperationRef {
  readonly path: string;
  readonly method: string;
  readonly operation: Json;
}

export interface ExampleRef {
  readonly name: string;
  readonly value: unknown;
}

/** The value with every `#/components/schemas/<name>` reference pointed at `<prefix><name>`. */
function rebase(value: unknown, prefix: string): unknown {
  return JSON.parse(JSON.stringify(value).replace(/"#\/components\/schemas\//g, `"${prefix}`));
}

export class DocumentReader {
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: Json) {
    this.ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
    addFormats(this.ajv);
    // OpenAPI 3.1 adds `example` (deprecated, still common) to the JSON Schema vocabulary.
    this.ajv.addKeyword({ keyword: 'example' });
    // The component schemas become `$defs` of one schema, so strict mode sees only JSON Schema.
    const schemas = (document.components as Json | undefined)?.schemas ?? {};
    this.ajv.addSchema({ $id: DOCUMENT_ID, $defs: rebase(schemas, '#/$defs/') });
  }

  /** Follows a local `$ref` (`#/components/...`), or returns the object itself. */
  resolve<T = Json>(value: unknown): T {
    let current = value as Json;
    const seen = new Set<string>();
    while (current && typeof current === 'object' && typeof current.$ref === 'string') {
      const ref = current.$ref;
      if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
      seen.add(ref);
      if (!ref.startsWith('#/')) throw new Error(`only local $refs are expected, got ${ref}`);
      current = ref
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<Json>((node, part) => {
          const next = node?.[part];
          if (next === undefined) throw new Error(`dangling $ref ${ref}`);
          return next as Json;
        }, this.document);
    }
    return current as T;
  }

  operations(): OperationRef[] {
    const out: OperationRef[] = [];
    for (const [path, item] of Object.entries(this.document.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item))
        out.push({ path, method, operation: operation as Json });
    }
    return out;
  }

  operation(method: string, path: string): Json {
    const op = (this.document.paths as Record<string, Record<string, Json> | undefined>)[path]?.[
      method.toLowerCase()
    ];
    if (!op) throw new Error(`no ${method.toUpperCase()} ${path} in the document`);
    return op;
  }

  /** The JSON media type object of a request body or response (a stream's `text/event-stream`), or undefined. */
  jsonContent(holder: unknown): Json | undefined {
    const content = this.resolve<Json>(holder).content as Record<string, Json> | undefined;
    // A streamed answer's media type describes one event (`text/event-stream`).
    return content?.['application/json'] ?? content?.['text/event-stream'];
  }

  /** The named examples of a media type object, `$ref`s resolved. */
  examples(media: Json | undefined): ExampleRef[] {
    const examples = (media?.examples ?? {}) as Record<string, unknown>;
    return Object.entries(examples).map(([name, example]) => ({
      name,
      value: this.resolve<Json>(example).value,
    }));
  }

  /** Validates a value against a schema of the document (inline or `$ref`); returns the errors, empty if valid. */
  validate(schema: Json, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let validator = this.validators.get(key);
    if (!validator) {
      validator = this.ajv.compile(rebase(schema, `${DOCUMENT_ID}#/$defs/`) as Json);
      this.validators.set(key, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }

  /** The schema of a response of an operation for a status, or undefined if the status is not documented. */
  responseSchema(operation: Json, status: number): Json | undefined {
    const responses = operation.responses as Record<string, unknown>;
    const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    if (response === undefined) return undefined;
    return this.jsonContent(response)?.schema as Json | undefined;
  }
}
