/**
 * The flags in force for a request: the environment defaults with the last good flags
 * document applied over them. Handlers build one source per container and call
 * `current()` per request.
 *
 * - AWS: the AppConfig profile named by `APPCONFIG_*`, asked again at most every
 *   `FLAGS_MAX_AGE_SECONDS` (15–60 s).
 * - Local: the JSON file `AI_FLAGS_FILE`, read on every call, so an edit applies to the
 *   next request without a restart.
 * - Neither: the environment defaults alone.
 *
 * A document that is not valid JSON or breaks the schema, or a source that cannot be read,
 * never changes the flags in force: the last good document stays applied (the defaults,
 * before any), and the event is logged and counted once per change, without the content.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import type { AppConfig } from '../config';
import { loggableError, logger, MetricName, metrics } from '../observability';
import {
  appConfigDocumentReader,
  fileDocumentReader,
  type FlagsDocumentReader,
  type FlagsDocumentSource,
} from './readers';
import { applyFlagsDocument, parseFlagsDocument, type FlagKey, type Flags } from './schema';

/** The flags of a request, from wherever this container reads them. */
export interface FlagsSource {
  /** Where the flags come from: AppConfig, the local file, or the environment only. */
  readonly source: FlagsDocumentSource | 'environment';
  /** The flags in force now. Never throws: a source that fails leaves the last good flags in force. */
  current(): Promise<Flags>;
}

/** What happens to the flags document, for logs and metrics (never its content). */
export interface FlagsObserver {
  /** A new document is in force; `keys` are the ones it sets. */
  applied(event: { readonly source: FlagsDocumentSource; readonly keys: readonly FlagKey[] }): void;
  /** A document was read and refused; the previous flags stay in force. */
  rejected(event: { readonly source: FlagsDocumentSource; readonly problems: readonly string[] }): void;
  /** The source could not be read; the previous flags stay in force. */
  unavailable(event: { readonly source: FlagsDocumentSource; readonly error: unknown }): void;
}

/** The configuration a flags source is built from (see lambdas/shared/config.ts). */
export type FlagsSourceConfig = Pick<
  AppConfig,
  'flagDefaults' | 'aiFlagsFile' | 'appconfigFlags' | 'flagsMaxAgeSeconds'
>;

export interface FlagsSourceDeps {
  /** Replaces the reader the configuration names (tests). */
  readonly reader?: FlagsDocumentReader;
  /** The AppConfig Data client for the AppConfig reader (tests: one with a fake HTTP handler). */
  readonly appConfigClient?: AppConfigDataClient;
  /** Milliseconds clock for the AppConfig cache. */
  readonly now?: () => number;
  readonly observer?: FlagsObserver;
}

/** Logs each event and counts refusals and read failures (alarms and dashboards read the metrics). */
export const loggingFlagsObserver: FlagsObserver = {
  applied({ source, keys }) {
    logger.info('Flags document applied', { flags_source: source, flags_keys: keys });
  },
  rejected({ source, problems }) {
    logger.error('Flags document refused; the previous flags stay in force', {
      flags_source: source,
      problems,
    });
    metrics.addMetric(MetricName.FlagsRejected, MetricUnit.Count, 1);
  },
  unavailable({ source, error }) {
    logger.warn('Flags document could not be read; the previous flags stay in force', {
      flags_source: source,
      error: loggableError(error),
    });
    metrics.addMetric(MetricName.FlagsUnavailable, MetricUnit.Count, 1);
  },
};

function readerFor(cfg: FlagsSourceConfig, deps: FlagsSourceDeps): FlagsDocumentReader | undefined {
  if (deps.reader) return deps.reader;
  if (cfg.appconfigFlags) return appConfigDocumentReader(cfg.appconfigFlags, deps.appConfigClient);
  if (cfg.aiFlagsFile) return fileDocumentReader(cfg.aiFlagsFile);
  return undefined;
}

/** A short signature of a read failure, so the same failure is reported once, not per request. */
function failureSignature(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? error.cause.name : '';
  return `${error.name}:${typeof code === 'string' ? code : ''}:${cause}`;
}

/**
 * The flags source the configuration names (AppConfig, else the local file, else the
 * environment alone). Precedence among the flags themselves is the caller's: see
 * `decideRollout` (./decisions.ts).
 */
export function createFlagsSource(cfg: FlagsSourceConfig, deps: FlagsSourceDeps = {}): FlagsSource {
  const defaults = cfg.flagDefaults;
  const found = readerFor(cfg, deps);
  if (!found) return { source: 'environment', current: () => Promise.resolve(defaults) };
  const reader = found;

  const observer = deps.observer ?? loggingFlagsObserver;
  const now = deps.now ?? Date.now;
  // The file is cheap to read, so every request sees the latest edit; AppConfig is a priced
  // call with a minimum poll interval, so it is asked again only after maxAge.
  const maxAgeMs = reader.source === 'appconfig' ? cfg.flagsMaxAgeSeconds * 1000 : 0;

  let inForce: Flags = defaults;
  let lastText: string | undefined;
  let lastReadAt: number | undefined;
  let lastFailure: string | undefined;
  let refreshing: Promise<Flags> | undefined;

  async function refresh(): Promise<Flags> {
    let text: string | undefined;
    try {
      text = await reader.read();
    } catch (error) {
      lastReadAt = now();
      const signature = failureSignature(error);
      if (signature !== lastFailure) observer.unavailable({ source: reader.source, error });
      lastFailure = signature;
      return inForce;
    }
    lastReadAt = now();
    lastFailure = undefined;
    if (text !== undefined && text === lastText) return inForce;
    lastText = text;
    if (text === undefined) {
      // A profile that was never deployed: nothing overrides the defaults.
      inForce = defaults;
      return inForce;
    }
    const parsed = parseFlagsDocument(text);
    if (!parsed.ok) {
      observer.rejected({ source: reader.source, problems: parsed.problems });
      return inForce;
    }
    inForce = applyFlagsDocument(defaults, parsed.document);
    observer.applied({ source: reader.source, keys: Object.keys(parsed.document) as FlagKey[] });
    return inForce;
  }

  return {
    source: reader.source,
    current() {
      if (refreshing) return refreshing;
      if (lastReadAt !== undefined && now() - lastReadAt < maxAgeMs) return Promise.resolve(inForce);
      // Concurrent requests share one read.
      refreshing = refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}
