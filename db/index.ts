/**
 * The database toolkit shared by tests, local mode and the scripts: the executor adapters
 * (pg, PGlite), the Supabase-like baseline and seeds, the migration runner, the function
 * files and the migrations generated from them (`npm run db:functions`), and the preflight
 * that discovers the shape of the app's tables (`npm run migrate -- --check`).
 */
export { pgExecutor, pgliteExecutor, type PgSession, type SqlExecutor } from './executor';
export {
  applyBaseline,
  applyDemoSeed,
  applyLocalUser,
  applySupabasePlatform,
  BASELINE_DIR,
  execInTransaction,
  MIGRATIONS_DIR,
  SEED_DIR,
} from './baseline';
export {
  applyMigrationFile,
  applyMigrations,
  appliedVersions,
  describePostgresError,
  ensureHistoryTable,
  HISTORY_TABLE_SQL,
  MigrationError,
  readMigrations,
  type ApplyMigrationsOptions,
  type MigrationFile,
} from './migrations';
export { splitStatements } from './split-statements';
export * from './fixtures';
export {
  FUNCTIONS_DIR,
  isManagedFunction,
  latestDefinitions,
  parseFunctionHead,
  readFunctionSources,
  signature,
  withoutLeadingComments,
  DROP_ALL_PUBLIC_COACH_FUNCTIONS,
  GENERATED_HEADER,
  type FunctionDefinition,
  type FunctionHead,
  type FunctionSource,
} from './function-sources';
export {
  isEmptyPlan,
  nextVersion,
  planFunctionMigration,
  REFRESH_ADAPTER_SQL,
  renderFunctionMigration,
  type FunctionMigrationPlan,
} from './function-migration';
export {
  discoverShape,
  DISCOVERY_FILE,
  readDiscoveryQuery,
  type DatabaseShape,
  type ExpectedColumn,
  type ShapeColumn,
  type ShapeIndex,
  type ShapeMapping,
  type ShapeProblem,
  type ShapeTable,
  type ShapeTrigger,
} from './shape';
export {
  assertPreflight,
  PreflightRefusal,
  runPreflight,
  type PendingMigration,
  type PreflightReport,
} from './preflight';
export { formatPreflight } from './preflight-report';
export {
  lastDays,
  readReports,
  REPORT_FUNCTIONS,
  ReportRangeError,
  type CohortDay,
  type Reports,
  type SafetyDay,
  type UserDay,
  type VariantDay,
} from './reports';
