-- A screening decision of a turn, as coach_record_exchange records it with the answer
-- (SafetyEventInput, lambdas/shared/ports.ts): the source, the category that decided, the
-- moderation scores and the action taken; never any text. A user message's event names the
-- user's row, a coach reply's the AI row. Nothing when the turn has no event.
create or replace function public._coach_safety_event(p_run public.chat_runs, p_event jsonb, p_ai_row uuid)
returns void
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  if pg_catalog.jsonb_typeof(p_event) is distinct from 'object' then
    return;
  end if;
  insert into public.safety_events (user_id, run_id, message_id, source, category, scores, action, chat_type, locale)
  values (
    p_run.user_id, p_run.id,
    case when p_event ->> 'source' = 'coach_reply' then p_ai_row else p_run.user_message_id end,
    p_event ->> 'source', p_event ->> 'category', coalesce(p_event -> 'scores', '{}'::jsonb),
    p_event ->> 'action', p_run.chat_type, p_run.locale);
end
$$;
