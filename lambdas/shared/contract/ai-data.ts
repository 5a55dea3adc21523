/**
 * The ai-data routes' contract: the request (export or delete), the export, and an erasure
 * as its owner sees it. The routes table (`../shared/contract/routes.ts`) documents them and
 * the handlers validate with them; docs/safety.md says what each field covers.
 */
import * as z from 'zod';
import { UserAssistantThread } from './schemas';

const uuid = z.uuid();
const time = z.string().meta({ description: 'ISO-8601 in UTC, e.g. `2026-11-24T19:42:31.870Z`.' });
const count = z.int().nonnegative();

/** POST ai-data's body: `export` or `delete` (`user_id` accepted for compatibility, as elsewhere). */
export const AiDataRequest = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('export'), user_id: uuid.nullish() }).strict(),
    z.object({ action: z.literal('delete'), user_id: uuid.nullish() }).strict(),
  ])
  .meta({ id: 'AiDataRequest' });
export type AiDataRequest = z.infer<typeof AiDataRequest>;

/** The path parameter of the erasure route. */
export const ErasureIdParams = z.object({ erasure_id: uuid }).strict();

const OpenAICounts = z.object({ responses: count, conversations: count, items: count });

/** An erasure of the user's AI data: its state, and what it has done here and at OpenAI. */
export const AiDataErasure = z
  .object({
    erasure_id: uuid,
    status: z.enum(['pending', 'completed', 'failed']).meta({
      description:
        '`pending` until every step is done; `completed` only once nothing remains here or at OpenAI; `failed` when its steps kept failing (send `delete` again to resume it).',
    }),
    failure_code: z
      .string()
      .nullable()
      .meta({ description: 'Why it failed (`stalled`, an error name); null otherwise.' }),
    requested_at: time,
    updated_at: time,
    completed_at: time.nullable(),
    local: z.record(z.string(), count).nullable().meta({
      description:
        'Rows deleted here by table (`chats`, `threads`, `runs`, `feedback`, `settings`, `context_cache`) and rows kept anonymised (`usage_anonymised`, `safety_events_anonymised`); null until taken.',
    }),
    openai: z.object({ deleted: OpenAICounts, remaining: OpenAICounts }).meta({
      description:
        'Stored responses, conversations and conversation items deleted at OpenAI, and those known to remain (items are found while their conversation is listed).',
    }),
  })
  .meta({ id: 'AiDataErasure' });
export type AiDataErasure = z.infer<typeof AiDataErasure>;

/** Columns an app table has beyond the ones the backend knows, as stored. */
const ExtraColumns = z
  .record(z.string(), z.unknown())
  .meta({ description: "Columns of the app's table beyond the ones listed here, as stored." });

const ExportedChat = z.object({
  id: uuid,
  message_type: z.string().meta({ description: '`user` or `ai`.' }),
  message: z.string(),
  response: z.string().nullable(),
  chat_type: z.string().nullable(),
  goal_id: uuid.nullable(),
  journal_entry_id: uuid.nullable(),
  thread_id: z.string().nullable(),
  run_id: uuid.nullable(),
  client_message_id: z.string().nullable(),
  variant: z.string().nullable(),
  fallback: z.boolean().nullable(),
  model_used: z.string().nullable(),
  tokens_used: z.int().nullable(),
  cost_estimate: z.number().nullable(),
  response_time_ms: z.int().nullable(),
  openai_response_id: z.string().nullable(),
  created_at: time.nullable(),
  extra_columns: ExtraColumns,
});

const ExportedThread = UserAssistantThread.extend({
  legacy_thread_ids: z.array(z.string()),
  updated_at: time.nullable(),
  extra_columns: ExtraColumns,
});

const ExportedRun = z.object({
  id: uuid,
  client_message_id: z.string(),
  status: z.string(),
  assistant_type: z.string(),
  profile_ref: z.string().nullable(),
  chat_type: z.string().nullable(),
  goal_id: uuid.nullable(),
  journal_entry_id: uuid.nullable(),
  thread_id: z.string().nullable(),
  openai_response_id: z.string().nullable(),
  user_message_id: uuid.nullable(),
  ai_message_id: uuid.nullable(),
  failure_code: z.string().nullable(),
  attempts: z.int(),
  created_at: time,
  updated_at: time,
  completed_at: time.nullable(),
});

const ExportedUsage = z.object({
  id: uuid,
  thread_id: z.string().nullable(),
  message_id: uuid.nullable(),
  run_id: uuid.nullable(),
  openai_response_id: z.string().nullable(),
  model_used: z.string(),
  variant: z.string().nullable(),
  chat_type: z.string().nullable(),
  assistant_type: z.string().nullable(),
  prompt_tokens: z.int(),
  completion_tokens: z.int(),
  total_tokens: z.int(),
  cached_tokens: z.int(),
  cache_write_tokens: z.int(),
  reasoning_tokens: z.int(),
  cost_estimate: z.number().nullable(),
  response_time_ms: z.int().nullable(),
  created_at: time,
});

const ExportedFeedback = z.object({
  id: uuid,
  message_id: uuid,
  rating: z.string(),
  comment: z.string().nullable(),
  created_at: time,
  updated_at: time,
});

const ExportedSettings = z.object({
  openai_enabled: z.boolean().nullable(),
  fallback_enabled: z.boolean().nullable(),
  daily_token_limit: z.int().nullable(),
  daily_cost_limit_usd: z.number().nullable(),
  cohort: z.string().nullable(),
  updated_at: time,
});

const ExportedSafetyEvent = z.object({
  id: uuid,
  source: z.string().meta({ description: '`user_message` or `coach_reply`.' }),
  category: z
    .string()
    .meta({ description: 'The moderation category that decided, e.g. `self-harm/intent`.' }),
  scores: z.record(z.string(), z.unknown()).meta({ description: 'The moderation scores by category.' }),
  action: z.string().meta({ description: 'What the backend did, e.g. `crisis_reply`.' }),
  chat_type: z.string().nullable(),
  locale: z.string().nullable(),
  run_id: uuid.nullable(),
  message_id: uuid.nullable(),
  created_at: time,
});

const ExportedContextCache = z.object({
  id: uuid,
  chat_type: z.string().nullable(),
  context_hash: z.string(),
  context_data: z.string(),
  created_at: time,
  expires_at: time,
});

/** 200 of `export`: everything the backend holds of the user's AI use, exactly the caller's. */
export const AiDataExport = z
  .object({
    user_id: uuid,
    exported_at: time,
    chats: z.array(ExportedChat).meta({ description: "The user's rows in journal_ai_chats, oldest first." }),
    threads: z.array(ExportedThread).meta({ description: "The user's rows in user_assistant_threads." }),
    runs: z
      .array(ExportedRun)
      .meta({ description: 'Chat turns (chat_runs): idempotency keys and long-run states.' }),
    usage: z
      .array(ExportedUsage)
      .meta({ description: 'OpenAI usage and cost per reply (openai_usage_logs).' }),
    feedback: z.array(ExportedFeedback),
    settings: ExportedSettings.nullable().meta({
      description: 'Per-user AI settings; null when none are set.',
    }),
    safety_events: z.array(ExportedSafetyEvent).meta({ description: 'Screening decisions; never any text.' }),
    context_cache: z.array(ExportedContextCache),
    erasures: z.array(AiDataErasure).meta({ description: "The user's erasure requests." }),
  })
  .meta({ id: 'AiDataExport' });
export type AiDataExport = z.infer<typeof AiDataExport>;

/** The 200 of POST ai-data: the export, or a completed erasure. */
export const AiDataReply = z.union([AiDataExport, AiDataErasure]);
