-- UserAssistantThread (the PRD's shape; legacy ids stay internal). Its thread_id is the
-- conversation the backend uses (coach_conversations) when there is one, whatever the row says.
create or replace function public._coach_thread_json(t public.user_assistant_threads) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select pg_catalog.jsonb_build_object(
    'id', t.id,
    'user_id', t.user_id,
    'assistant_type', t.assistant_type,
    'thread_id', coalesce((
      select c.conversation_id from public.coach_conversations c
      where c.user_id = t.user_id and c.assistant_type = t.assistant_type), t.thread_id),
    'openai_assistant_id', t.openai_assistant_id,
    'total_tokens_used', coalesce(t.total_tokens_used, 0),
    'last_cost_estimate', coalesce(t.last_cost_estimate, 0)::float8,
    'created_at', public._coach_iso(coalesce(t.created_at::timestamptz, t.updated_at::timestamptz)),
    'last_interaction_at', public._coach_iso(coalesce(t.last_interaction_at::timestamptz, t.created_at::timestamptz, t.updated_at::timestamptz)))
$$;
