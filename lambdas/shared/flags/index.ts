/**
 * Flags: the operator's switches and limits, from AppConfig in AWS or a local JSON file,
 * over the environment defaults. `createFlagsSource(config())` once per container, then
 * `await flags.current()` per request; `decideRollout` and `limitsFor` apply them.
 * The CDK app imports ./schema directly (it must not load the AWS SDK or Powertools).
 */
export {
  FLAG_DEFAULTS,
  FLAG_DEFINITIONS,
  FLAG_KEYS,
  FlagsDocument,
  applyFlagsDocument,
  flagsJsonSchema,
  parseFlagsDocument,
  type FlagKey,
  type Flags,
  type FlagsDocumentResult,
} from './schema';
export {
  APPCONFIG_MIN_POLL_SECONDS,
  appConfigDocumentReader,
  fileDocumentReader,
  type AppConfigFlagsProfile,
  type FlagsDocumentReader,
  type FlagsDocumentSource,
} from './readers';
export {
  createFlagsSource,
  loggingFlagsObserver,
  type FlagsObserver,
  type FlagsSource,
  type FlagsSourceConfig,
  type FlagsSourceDeps,
} from './source';
export {
  decideRollout,
  limitsFor,
  type RolloutDecision,
  type RolloutReason,
  type UserLimits,
} from './decisions';
