-- For the poller: the run, the user's message and what recording its answer needs.
create or replace function public.coach_get_pending_run(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid;
  if not found then
    return null;
  end if;
  return pg_catalog.jsonb_build_object(
    'run_id', v_run.id,
    'user_id', v_run.user_id,
    'assistant_type', v_run.assistant_type,
    'profile_ref', v_run.profile_ref,
    'thread_id', v_run.thread_id,
    'chat_type', v_run.chat_type,
    'goal_id', v_run.goal_id,
    'journal_entry_id', v_run.journal_entry_id,
    'client_message_id', v_run.client_message_id,
    'message', coalesce((
      select c.message from public.journal_ai_chats c
      where c.id = v_run.user_message_id or (c.run_id = v_run.id and c.message_type = 'user')
      limit 1), ''),
    'status', v_run.status,
    'openai_response_id', v_run.openai_response_id,
    'user_message_id', v_run.user_message_id,
    'created_at', public._coach_iso(v_run.created_at),
    'context', public._coach_context(v_run.user_id, v_run.goal_id, coalesce((p ->> 'recent_limit')::int, 5)),
    'settings', coalesce((
      select pg_catalog.jsonb_build_object(
        'openai_enabled', s.openai_enabled,
        'fallback_enabled', s.fallback_enabled,
        'daily_token_limit', s.daily_token_limit,
        'daily_cost_limit_usd', s.daily_cost_limit_usd::float8,
        'cohort', s.cohort)
      from public.user_ai_settings s where s.user_id = v_run.user_id),
      pg_catalog.jsonb_build_object('openai_enabled', null, 'fallback_enabled', null, 'daily_token_limit', null,
                                    'daily_cost_limit_usd', null, 'cohort', null)));
end
$$;
