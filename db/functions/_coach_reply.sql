-- The stored ChatReply of a run: its AI row and its user row, and the AI disclosure its claim
-- decided, found by the ids the run keeps
-- (never by journal_ai_chats.run_id, which app users can write). Null when the run has no AI
-- row, or when the user deleted either row (the caller answers 410 answer_deleted).
create or replace function public._coach_reply(p_run uuid) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select pg_catalog.jsonb_build_object(
    'response', coalesce(a.response, a.message),
    'thread_id', coalesce(a.openai_thread_id, r.thread_id, ''),
    'tokens_used', coalesce(a.tokens_used, 0),
    'model_used', coalesce(a.model_used, ''),
    'cost_estimate', coalesce(a.cost_estimate, 0)::float8,
    'message_id', a.id,
    'user_message_id', u.id,
    'response_time_ms', coalesce(a.response_time_ms, 0),
    'variant', coalesce(a.variant, 'simulated'),
    'fallback', a.fallback,
    'disclosure', r.disclosure)
  from public.chat_runs r
  join public.journal_ai_chats a on a.id = r.ai_message_id and a.user_id = r.user_id
  join public.journal_ai_chats u on u.id = r.user_message_id and u.user_id = r.user_id
  where r.id = p_run
$$;
