/**
 * What decides a turn: the flags in force (switches and limits, read per request from
 * AppConfig or the local file, over the environment defaults: `flags/`), and the settings
 * that only a deployment changes (model overrides, the cohort salt). Precedence among the
 * flags is `flags/decisions.ts`'s: the kill switch beats a per-user override, which beats the
 * cohort.
 */
import type { AppConfig } from './config';
import { createFlagsSource, type FlagsSource } from './flags';

/** The settings a turn reads that only change with a deployment. */
export interface CoachSettings {
  /** Coach profile id → model (`COACH_MODEL_OVERRIDES`). */
  readonly modelOverrides: Readonly<Record<string, string>>;
  /** The salt of the rollout cohorts (`COHORT_SALT`). */
  readonly cohortSalt: string;
}

/** A turn's policy: the flags source and the deployment's settings. */
export interface Policy {
  readonly flags: FlagsSource;
  readonly settings: CoachSettings;
}

export function settingsFromConfig(cfg: AppConfig): CoachSettings {
  return { modelOverrides: cfg.coachModelOverrides, cohortSalt: cfg.cohortSalt };
}

const sources = new WeakMap<AppConfig, FlagsSource>();

/**
 * The policy of the configuration: its settings, and its flags source, one per configuration
 * (so per container), kept across rebuilds of the handler's dependencies: an AppConfig session
 * is opened once, not at every rebuild.
 */
export function policyFromConfig(cfg: AppConfig): Policy {
  let flags = sources.get(cfg);
  if (!flags) {
    flags = createFlagsSource(cfg);
    sources.set(cfg, flags);
  }
  return { flags, settings: settingsFromConfig(cfg) };
}
