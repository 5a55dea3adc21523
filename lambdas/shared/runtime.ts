/**
 * Composition root: turns the parsed config into the service dependencies (store, model,
 * poller starter, metrics observer). Built once per cold start and reused; handlers take
 * a `() => Promise<Runtime>` so tests and the local server can pass their own wiring and
 * still run the real middy stack.
 */
import { SFNClient, StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import pg from 'pg';
import type { ChatDeps, ChatObserver, ChatPolicy, RunPollerStarter } from '../chat/service';
import type { PollObserver } from '../poller/service';
import { createOpenAICoachModel } from './coach/openai-model';
import { config, type AppConfig } from './config';
import { MetricName, metrics } from './observability';
import type { ChatStore, CoachModel } from './ports';
import { getSecret, SECRET_TTL_MS } from './secrets';
import { FunctionChatStore, createSupabaseChatStore, pgTransport } from './store';

export interface Runtime {
  readonly store: ChatStore;
  readonly model: CoachModel | null;
  readonly chat: ChatDeps;
  readonly fallbackEnabled: boolean;
}

export function policyFromConfig(cfg: AppConfig): ChatPolicy {
  return {
    openaiEnabled: cfg.openaiEnabled,
    fallbackEnabled: cfg.fallbackEnabled,
    rolloutPercent: cfg.openaiRolloutPercent,
    dailyTokenLimitPerUser: cfg.dailyTokenLimitPerUser,
    dailyCostLimitUsdPerUser: cfg.dailyCostLimitUsdPerUser,
    syncBudgetMs: cfg.chatSyncBudgetMs,
    modelOverrides: cfg.coachModelOverrides,
  };
}

/** Emits the service's events as EMF metrics (names shared with the dashboard and alarms). */
export const metricsObserver: PollObserver & ChatObserver = {
  unknownChatType() {
    metrics.addMetric(MetricName.UnknownChatType, MetricUnit.Count, 1);
  },
  answered({ variant, fallback, fallbackReason, model, latencyMs, usage, costUsd }) {
    // Metadata lands on the same EMF line, for the saved Logs Insights queries (cost by
    // model, fallbacks by reason) without becoming a costly metric dimension.
    metrics.addMetadata('model', model);
    if (fallbackReason) metrics.addMetadata('fallback_reason', fallbackReason);
    metrics.addMetric(fallback ? MetricName.ChatFallback : MetricName.ChatSuccess, MetricUnit.Count, 1);
    metrics.addMetric(MetricName.ChatLatencyMs, MetricUnit.Milliseconds, latencyMs);
    if (variant === 'openai') {
      metrics.addMetric(MetricName.TokensUsed, MetricUnit.Count, usage.total_tokens);
      metrics.addMetric(MetricName.CostUsd, MetricUnit.NoUnit, costUsd);
    }
  },
  longRunStarted() {
    metrics.addMetric(MetricName.LongRunStarted, MetricUnit.Count, 1);
  },
  longRunFinished(outcome) {
    const name =
      outcome === 'completed'
        ? MetricName.LongRunCompleted
        : outcome === 'timed_out'
          ? MetricName.LongRunTimedOut
          : MetricName.LongRunFailed;
    metrics.addMetric(name, MetricUnit.Count, 1);
  },
};

/** Starts the Step Functions poller; the execution name is the run id, so a second start is a no-op. */
export function stepFunctionsPoller(stateMachineArn: string, client = new SFNClient({})): RunPollerStarter {
  return {
    async start({ run_id, response_id }) {
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: run_id,
            input: JSON.stringify({ run_id, response_id, attempt: 0, started_at: new Date().toISOString() }),
          }),
        );
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists) return;
        throw error;
      }
    },
  };
}

export async function storeFromConfig(cfg: AppConfig): Promise<ChatStore> {
  if (cfg.databaseUrl) {
    return new FunctionChatStore(pgTransport(poolFor(cfg.databaseUrl)));
  }
  const serviceRoleKey = await getSecret('supabase_service_role_key', cfg);
  if (!cfg.supabaseUrl || !serviceRoleKey) {
    throw new Error(
      'SUPABASE_URL and the Supabase service-role key are required when DATABASE_URL is not set',
    );
  }
  return createSupabaseChatStore({ url: cfg.supabaseUrl, serviceRoleKey });
}

export async function modelFromConfig(cfg: AppConfig): Promise<CoachModel | null> {
  const apiKey = await getSecret('openai_api_key', cfg);
  if (!apiKey) return null;
  return createOpenAICoachModel({
    apiKey,
    baseURL: cfg.openaiBaseUrl,
    timeoutMs: cfg.openaiTimeoutMs,
    maxRetries: cfg.openaiMaxRetries,
    onRetry: () => metrics.addMetric(MetricName.OpenAIRetries, MetricUnit.Count, 1),
  });
}

export function assembleRuntime(
  cfg: AppConfig,
  parts: {
    readonly store: ChatStore;
    readonly model: CoachModel | null;
    readonly poller: RunPollerStarter | null;
  },
): Runtime {
  return {
    store: parts.store,
    model: parts.model,
    fallbackEnabled: cfg.fallbackEnabled,
    chat: {
      store: parts.store,
      model: parts.model,
      poller: parts.poller,
      policy: policyFromConfig(cfg),
      observer: metricsObserver,
    },
  };
}

export async function createRuntime(cfg: AppConfig = config()): Promise<Runtime> {
  const [store, model] = await Promise.all([storeFromConfig(cfg), modelFromConfig(cfg)]);
  const poller = cfg.pollerStateMachineArn ? stepFunctionsPoller(cfg.pollerStateMachineArn) : null;
  return assembleRuntime(cfg, { store, model, poller });
}

/** One pool per database URL per container, so rebuilding the runtime never leaks connections. */
const pools = new Map<string, pg.Pool>();
function poolFor(url: string): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.set(url, pool);
  }
  return pool;
}

let cached: { readonly runtime: Promise<Runtime>; readonly builtAt: number } | undefined;

/**
 * The Lambda's runtime, built at first use and rebuilt once it is older than the secrets
 * cache: the OpenAI and Supabase clients hold their keys, so a rotated key is picked up
 * within SECRET_TTL_MS without recycling containers.
 */
export function defaultRuntime(now: () => number = Date.now): Promise<Runtime> {
  if (!cached || now() - cached.builtAt > SECRET_TTL_MS) {
    const runtime = createRuntime().catch((error: unknown) => {
      cached = undefined; // let the next invocation try again (e.g. Secrets Manager blip)
      throw error;
    });
    cached = { runtime, builtAt: now() };
  }
  return cached.runtime;
}
