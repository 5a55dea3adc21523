-- ai-data export: everything the backend holds of the user's AI use, in one round trip
-- (AiDataExport, lambdas/ai-data/schemas.ts): their rows in journal_ai_chats and
-- user_assistant_threads (columns the live tables have beyond the backend's are included
-- as stored, in `extra_columns`), runs, usage, feedback, settings, safety events, the
-- context cache and their erasures. 409 erasure_in_progress while an erasure runs.
create or replace function public.coach_export_ai_data(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
begin
  if exists (
    select 1 from public.ai_data_erasures e
    where e.user_id = v_user and e.status = 'pending' and e.updated_at >= now() - public._coach_erasure_deadline()
  ) then
    return public._coach_refusal(409, 'erasure_in_progress',
      'Your AI data is being erased; try again when the erasure has finished.');
  end if;

  return pg_catalog.jsonb_build_object(
    'user_id', v_user,
    'exported_at', public._coach_iso(now()),
    'chats', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', c.id,
        'message_type', c.message_type,
        'message', c.message,
        'response', c.response,
        'chat_type', c.chat_type,
        'goal_id', c.goal_id,
        'journal_entry_id', c.journal_entry_id,
        'thread_id', c.openai_thread_id,
        'run_id', c.run_id,
        'client_message_id', c.client_message_id,
        'variant', c.variant,
        'fallback', c.fallback,
        'model_used', c.model_used,
        'tokens_used', c.tokens_used,
        'cost_estimate', c.cost_estimate::float8,
        'response_time_ms', c.response_time_ms,
        'openai_response_id', c.openai_response_id,
        'created_at', public._coach_iso(c.created_at::timestamptz),
        'extra_columns', pg_catalog.to_jsonb(c) - array[
          'id', 'user_id', 'message_type', 'message', 'response', 'chat_type', 'goal_id', 'journal_entry_id',
          'openai_thread_id', 'run_id', 'client_message_id', 'variant', 'fallback', 'model_used', 'tokens_used',
          'cost_estimate', 'response_time_ms', 'openai_response_id', 'created_at'])
        order by c.created_at, c.id)
      from public.journal_ai_chats c where c.user_id = v_user), '[]'::jsonb),
    'threads', coalesce((
      select pg_catalog.jsonb_agg(
        public._coach_thread_json(t) || pg_catalog.jsonb_build_object(
          'legacy_thread_ids', pg_catalog.to_jsonb(t.legacy_thread_ids),
          'updated_at', public._coach_iso(t.updated_at),
          'extra_columns', pg_catalog.to_jsonb(t) - array[
            'id', 'user_id', 'assistant_type', 'thread_id', 'openai_assistant_id', 'total_tokens_used',
            'last_cost_estimate', 'created_at', 'last_interaction_at', 'legacy_thread_ids', 'updated_at'])
        order by t.created_at, t.id)
      from public.user_assistant_threads t where t.user_id = v_user), '[]'::jsonb),
    'runs', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', r.id,
        'client_message_id', r.client_message_id,
        'status', r.status,
        'assistant_type', r.assistant_type,
        'profile_ref', r.profile_ref,
        'chat_type', r.chat_type,
        'goal_id', r.goal_id,
        'journal_entry_id', r.journal_entry_id,
        'thread_id', r.thread_id,
        'openai_response_id', r.openai_response_id,
        'user_message_id', r.user_message_id,
        'ai_message_id', r.ai_message_id,
        'failure_code', r.failure_code,
        'attempts', r.attempts,
        'created_at', public._coach_iso(r.created_at),
        'updated_at', public._coach_iso(r.updated_at),
        'completed_at', public._coach_iso(r.completed_at))
        order by r.created_at, r.id)
      from public.chat_runs r where r.user_id = v_user), '[]'::jsonb),
    'usage', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', u.id,
        'thread_id', u.thread_id,
        'message_id', u.message_id,
        'run_id', u.run_id,
        'openai_response_id', u.openai_response_id,
        'model_used', u.model_used,
        'variant', u.variant,
        'chat_type', u.chat_type,
        'assistant_type', u.assistant_type,
        'prompt_tokens', u.prompt_tokens,
        'completion_tokens', u.completion_tokens,
        'total_tokens', u.total_tokens,
        'cached_tokens', u.cached_tokens,
        'cache_write_tokens', u.cache_write_tokens,
        'reasoning_tokens', u.reasoning_tokens,
        'cost_estimate', u.cost_estimate::float8,
        'response_time_ms', u.response_time_ms,
        'created_at', public._coach_iso(u.created_at))
        order by u.created_at, u.id)
      from public.openai_usage_logs u where u.user_id = v_user), '[]'::jsonb),
    'feedback', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', f.id,
        'message_id', f.message_id,
        'rating', f.rating,
        'comment', f.comment,
        'created_at', public._coach_iso(f.created_at),
        'updated_at', public._coach_iso(f.updated_at))
        order by f.created_at, f.id)
      from public.chat_feedback f where f.user_id = v_user), '[]'::jsonb),
    'settings', (
      select pg_catalog.jsonb_build_object(
        'openai_enabled', s.openai_enabled,
        'fallback_enabled', s.fallback_enabled,
        'daily_token_limit', s.daily_token_limit,
        'daily_cost_limit_usd', s.daily_cost_limit_usd::float8,
        'cohort', s.cohort,
        'updated_at', public._coach_iso(s.updated_at))
      from public.user_ai_settings s where s.user_id = v_user),
    'safety_events', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', s.id,
        'source', s.source,
        'category', s.category,
        'scores', s.scores,
        'action', s.action,
        'chat_type', s.chat_type,
        'locale', s.locale,
        'run_id', s.run_id,
        'message_id', s.message_id,
        'created_at', public._coach_iso(s.created_at))
        order by s.created_at, s.id)
      from public.safety_events s where s.user_id = v_user), '[]'::jsonb),
    'context_cache', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', x.id,
        'chat_type', x.chat_type,
        'context_hash', x.context_hash,
        'context_data', x.context_data,
        'created_at', public._coach_iso(x.created_at),
        'expires_at', public._coach_iso(x.expires_at))
        order by x.created_at, x.id)
      from public.user_context_cache x where x.user_id = v_user), '[]'::jsonb),
    'erasures', coalesce((
      select pg_catalog.jsonb_agg(public._coach_erasure_json(e) order by e.created_at, e.id)
      from public.ai_data_erasures e where e.user_id = v_user), '[]'::jsonb));
end
$$;
