/**
 * The ai-data routes' examples for the OpenAPI document (`lambdas/openapi/examples.ts`
 * registers them; the document tests parse each with its zod schema). Ids are those of the
 * other examples: local mode's demo user and the same conversation, run and messages.
 */
import type { Examples } from '../openapi/examples';
import { ERASURE_ID_EXAMPLE, RUN_ID_EXAMPLE } from '../shared/contract/routes';
import type { AiDataErasure, AiDataExport, AiDataRequest } from '../shared/contract/ai-data';

const DEMO_USER_ID = 'dec0de00-0000-4000-8000-000000000001';
const CONVERSATION_ID = 'conv_6853f1c2a7e88190b1d7c5e2f4a9d0e3';
const AI_MESSAGE_ID = '0e6f1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const USER_MESSAGE_ID = '7d3c9b1e-2a4f-4c6d-9e8b-1f2a3b4c5d6e';
const RUN_ID = RUN_ID_EXAMPLE;
const REPLY =
  'Evenings are when energy runs out, so make the walk smaller rather than skipping it. Put your shoes by the door right after dinner and commit to just ten minutes. What usually wins at 8pm: tiredness, weather, or the couch?';

export const aiDataRequestExamples: Examples<AiDataRequest> = {
  export: { summary: "Everything the backend holds of the user's AI use", value: { action: 'export' } },
  delete: {
    summary: "Erase the user's AI data, here and at OpenAI",
    description:
      'Sending it again while the erasure runs returns the same erasure; after a failed one, resumes it.',
    value: { action: 'delete' },
  },
};

const erasurePending: AiDataErasure = {
  erasure_id: ERASURE_ID_EXAMPLE,
  status: 'pending',
  failure_code: null,
  requested_at: '2026-11-24T20:01:12.204Z',
  updated_at: '2026-11-24T20:01:20.118Z',
  completed_at: null,
  local: {
    chats: 48,
    threads: 2,
    runs: 24,
    feedback: 3,
    settings: 0,
    context_cache: 0,
    usage_anonymised: 22,
    safety_events_anonymised: 0,
  },
  openai: {
    deleted: { responses: 22, conversations: 0, items: 37 },
    remaining: { responses: 0, conversations: 2, items: 9 },
  },
};

const erasureCompleted: AiDataErasure = {
  ...erasurePending,
  status: 'completed',
  updated_at: '2026-11-24T20:01:31.560Z',
  completed_at: '2026-11-24T20:01:31.560Z',
  openai: {
    deleted: { responses: 22, conversations: 2, items: 46 },
    remaining: { responses: 0, conversations: 0, items: 0 },
  },
};

const erasureFailed: AiDataErasure = {
  ...erasurePending,
  status: 'failed',
  failure_code: 'EraseStepFailed',
  updated_at: '2026-11-24T20:23:05.871Z',
};

const aiDataExport: AiDataExport = {
  user_id: DEMO_USER_ID,
  exported_at: '2026-11-24T19:50:00.000Z',
  chats: [
    {
      id: USER_MESSAGE_ID,
      message_type: 'user',
      message: 'I keep skipping my evening walk. Any ideas?',
      response: null,
      chat_type: 'pillar_health',
      goal_id: null,
      journal_entry_id: null,
      thread_id: CONVERSATION_ID,
      run_id: RUN_ID,
      client_message_id: '5b0f4d2e-8c1a-4a53-9b7e-2f6d1c0a9e11',
      variant: null,
      fallback: false,
      model_used: null,
      tokens_used: null,
      cost_estimate: null,
      response_time_ms: null,
      openai_response_id: null,
      created_at: '2026-11-24T19:42:28.411Z',
      extra_columns: {},
    },
    {
      id: AI_MESSAGE_ID,
      message_type: 'ai',
      message: REPLY,
      response: REPLY,
      chat_type: 'pillar_health',
      goal_id: null,
      journal_entry_id: null,
      thread_id: CONVERSATION_ID,
      run_id: RUN_ID,
      client_message_id: '5b0f4d2e-8c1a-4a53-9b7e-2f6d1c0a9e11',
      variant: 'openai',
      fallback: false,
      model_used: 'gpt-6.1-sol',
      tokens_used: 1843,
      cost_estimate: 0.004127,
      response_time_ms: 3120,
      openai_response_id: 'resp_68a1c0f2d3e4b5a6978812ab',
      created_at: '2026-11-24T19:42:31.870Z',
      extra_columns: {},
    },
  ],
  threads: [
    {
      id: '2b7e4c1a-9d3f-4e6b-8a2c-5f1d0e9b7a63',
      user_id: DEMO_USER_ID,
      assistant_type: 'pillar_coach',
      thread_id: CONVERSATION_ID,
      openai_assistant_id: 'pillar_coach@2',
      total_tokens_used: 12840,
      last_cost_estimate: 0.004127,
      created_at: '2026-11-02T08:14:05.112Z',
      last_interaction_at: '2026-11-24T19:42:31.870Z',
      legacy_thread_ids: ['thread_local_4f1c9a2e-7b3d-4e8a-b6c5-2d9e0f1a3b7c'],
      updated_at: '2026-11-24T19:42:31.870Z',
      extra_columns: {},
    },
  ],
  runs: [
    {
      id: RUN_ID,
      client_message_id: '5b0f4d2e-8c1a-4a53-9b7e-2f6d1c0a9e11',
      status: 'completed',
      assistant_type: 'pillar_coach',
      profile_ref: 'pillar_coach@2',
      chat_type: 'pillar_health',
      goal_id: null,
      journal_entry_id: null,
      thread_id: CONVERSATION_ID,
      openai_response_id: 'resp_68a1c0f2d3e4b5a6978812ab',
      user_message_id: USER_MESSAGE_ID,
      ai_message_id: AI_MESSAGE_ID,
      failure_code: null,
      attempts: 1,
      created_at: '2026-11-24T19:42:28.402Z',
      updated_at: '2026-11-24T19:42:31.872Z',
      completed_at: '2026-11-24T19:42:31.872Z',
    },
  ],
  usage: [
    {
      id: 'c3b1a2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
      thread_id: CONVERSATION_ID,
      message_id: AI_MESSAGE_ID,
      run_id: RUN_ID,
      openai_response_id: 'resp_68a1c0f2d3e4b5a6978812ab',
      model_used: 'gpt-6.1-sol',
      variant: 'openai',
      chat_type: 'pillar_health',
      assistant_type: 'pillar_coach',
      prompt_tokens: 1712,
      completion_tokens: 131,
      total_tokens: 1843,
      cached_tokens: 1536,
      cache_write_tokens: 0,
      reasoning_tokens: 48,
      cost_estimate: 0.004127,
      response_time_ms: 3120,
      created_at: '2026-11-24T19:42:31.870Z',
    },
  ],
  feedback: [
    {
      id: '5e8d1b3c-7a2f-4c9e-b1d6-3f0a8e2c4b79',
      message_id: AI_MESSAGE_ID,
      rating: 'up',
      comment: null,
      created_at: '2026-11-24T19:44:02.519Z',
      updated_at: '2026-11-24T19:44:02.519Z',
    },
  ],
  settings: null,
  safety_events: [],
  context_cache: [],
  erasures: [],
};

export const aiDataReplyExamples: Examples<AiDataExport | AiDataErasure> = {
  export: { summary: '`export`: the user’s AI data', value: aiDataExport },
  completed: { summary: '`delete`: finished within the request', value: erasureCompleted },
};

export const erasurePendingExamples: Examples<AiDataErasure> = {
  pending: {
    summary: '`delete`: the erasure goes on; poll it',
    description: 'The rows here are already gone; the OpenAI part continues on the erasure state machine.',
    value: erasurePending,
  },
};

export const erasureStateExamples: Examples<AiDataErasure> = {
  pending: { summary: 'Still erasing', value: erasurePending },
  completed: { summary: 'Nothing remains here or at OpenAI', value: erasureCompleted },
  failed: {
    summary: 'Its steps kept failing; send `delete` again to resume it',
    value: erasureFailed,
  },
};
