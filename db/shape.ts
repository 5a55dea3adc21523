/**
 * The shape of the app's existing tables as `coach_internal.discover_shape()` reports it
 * (db/functions/coach_internal.discover_shape.sql), and that query's text for the preflight,
 * which runs it read-only before the function exists: one SQL source for both.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FUNCTIONS_DIR } from './function-sources';
import type { SqlExecutor } from './executor';

export interface ShapeColumn {
  readonly name: string;
  readonly type: string;
  readonly not_null: boolean;
  readonly default: string | null;
  readonly has_default: boolean;
}

export interface ShapeTrigger {
  readonly name: string;
  readonly timing: string;
  readonly events: string;
  readonly level: string;
  readonly function: string;
  readonly enabled: boolean;
  readonly own_search_path: boolean;
}

export interface ShapeTable {
  /** `schema.table`. */
  readonly table: string;
  readonly present: boolean;
  /** The backend inserts into it (journal_ai_chats, user_assistant_threads). */
  readonly written: boolean;
  readonly columns: readonly ShapeColumn[];
  readonly triggers: readonly ShapeTrigger[];
}

/** A column the backend relies on: named by the PRD, or added by the migrations when absent. */
export interface ExpectedColumn {
  readonly table: string;
  readonly column: string;
  readonly origin: 'prd' | 'migration';
  readonly present: boolean;
  readonly type: string | null;
  readonly not_null: boolean | null;
  readonly default: string | null;
  readonly fits: boolean;
}

export interface ShapeMapping {
  readonly profile_key: { readonly column: string; readonly reason: string } | null;
  readonly name_columns: readonly string[];
  readonly name_metadata_keys: readonly string[];
  readonly goal_pillar: {
    readonly goal_column: string;
    readonly goal_column_type: string;
    readonly pillar_column: string;
    readonly constraint: string;
  } | null;
  readonly pillar_key: {
    readonly mode: 'column' | 'display_name';
    readonly column: string;
    readonly reason: string;
    readonly rating_column_type: string | null;
  } | null;
  readonly pillar_order: string;
  readonly goal_order: string;
  readonly timestamps: Readonly<Record<string, string>> | null;
  readonly rating_created_at_type: string | null;
  readonly goal_created_at_type: string | null;
}

export interface ShapeIndex {
  readonly table: string;
  readonly column: string;
  readonly name: string;
  readonly purpose: string;
  readonly exists: boolean;
}

/** Something that stops the backend: nothing may be changed while there is one. */
export interface ShapeProblem {
  readonly table: string;
  readonly column: string | null;
  readonly message: string;
  readonly action: string;
}

export interface DatabaseShape {
  readonly tables: readonly ShapeTable[];
  readonly expected: readonly ExpectedColumn[];
  readonly mapping: ShapeMapping;
  readonly indexes: readonly ShapeIndex[];
  readonly problems: readonly ShapeProblem[];
  readonly notes: readonly string[];
}

/** `db/functions/coach_internal.discover_shape.sql`. */
export const DISCOVERY_FILE = path.join(FUNCTIONS_DIR, 'coach_internal.discover_shape.sql');

/** The body of `coach_internal.discover_shape()`: one parameterless query. */
export async function readDiscoveryQuery(file: string = DISCOVERY_FILE): Promise<string> {
  const text = await readFile(file, 'utf8');
  const body = /\$discover\$([\s\S]*)\$discover\$/.exec(text)?.[1];
  if (!body) throw new Error(`${file} has no $discover$ … $discover$ body`);
  return body;
}

/**
 * Runs the discovery on `executor` as it is (the caller decides the transaction: the
 * preflight holds a read-only one). `search_path` must be empty or harmless: the query
 * names everything with its schema.
 */
export async function discoverShape(executor: SqlExecutor): Promise<DatabaseShape> {
  const rows = await executor.query<{ shape: DatabaseShape }>(
    `select (${await readDiscoveryQuery()}) as shape`,
  );
  const shape = rows[0]?.shape;
  if (!shape) throw new Error('the discovery query returned nothing');
  return shape;
}
