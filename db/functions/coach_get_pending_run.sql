-- For the poller: the run's state and response, what its simulated fallback needs (the user's
-- message, the context, the settings) and what screening its reply needs (the locale).
-- Recording takes only the run and its user: the turn's identity stays in the database.
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
    'status', v_run.status,
    'openai_response_id', v_run.openai_response_id,
    'created_at', public._coach_iso(v_run.created_at),
    'chat_type', v_run.chat_type,
    'locale', v_run.locale,
    'client_message_id', v_run.client_message_id,
    'message', coalesce((
      select c.message from public.journal_ai_chats c
      where c.id = v_run.user_message_id and c.user_id = v_run.user_id), ''),
    'context', public._coach_context(v_run.user_id, v_run.goal_id, coalesce((p ->> 'recent_limit')::int, 5)),
    'settings', public._coach_settings(v_run.user_id));
end
$$;
