/**
 * The flags' environment variables: each flag's variable (flags/schema.ts) read from its
 * string as the flag's type and checked by the flag's own rules, so the configuration over
 * `process.env` (lambdas/shared/config.ts) and the flags document share one set of bounds.
 */
import * as z from 'zod';
import {
  FLAG_DEFINITIONS,
  FLAG_KEYS,
  type FlagDefinition,
  type FlagDefinitions,
  type FlagKey,
  type Flags,
} from './schema';

/** A flag's environment variable name. */
export type FlagEnvName = FlagDefinitions[FlagKey]['env'];

/** Reads an environment string as the flag's type, then applies the flag's own rules. */
function envSchemaOf(definition: FlagDefinition<string, z.ZodType>): z.ZodType<unknown, string | undefined> {
  const typed: z.ZodType<unknown, string> =
    definition.schema instanceof z.ZodBoolean
      ? z
          .string()
          .trim()
          .toLowerCase()
          .pipe(z.enum(['true', 'false', '1', '0'], { error: "must be 'true', 'false', '1' or '0'" }))
          .transform((v) => v === 'true' || v === '1')
      : z
          .string()
          .trim()
          .transform((v) => Number(v));
  return typed
    .pipe(definition.schema)
    .optional()
    .transform((v) => v ?? definition.default);
}

/**
 * The environment variables of the flags, as zod fields keyed by variable name, for the
 * configuration schema over `process.env` (lambdas/shared/config.ts) to spread into its own.
 */
export const FLAG_ENV_SHAPE = Object.fromEntries(
  FLAG_KEYS.map((key) => [FLAG_DEFINITIONS[key].env, envSchemaOf(FLAG_DEFINITIONS[key])]),
) as unknown as {
  [K in FlagKey as FlagDefinitions[K]['env']]: z.ZodType<
    z.output<FlagDefinitions[K]['schema']>,
    string | undefined
  >;
};

/** The flags given by parsed environment fields (the output of `FLAG_ENV_SHAPE`). */
export function flagsFromEnvFields(env: {
  readonly [K in FlagKey as FlagDefinitions[K]['env']]: Flags[K];
}): Flags {
  return Object.freeze(
    Object.fromEntries(
      FLAG_KEYS.map((key) => [key, env[FLAG_DEFINITIONS[key].env as keyof typeof env]]),
    ) as Flags,
  );
}
