-- The "record" round trip (RecordExchangeInput: the run, its user, the thread if it changed,
-- the answer, and the safety event if the screening decided something), exactly once per run:
-- the AI row, the usage log, the safety event, the thread, the run completed and its
-- reservation settled (the usage log holds the real cost). Everything else the claim
-- stored, the user's row included. A run already answered writes nothing and returns its
-- stored reply (410 answer_deleted if the user deleted it).
create or replace function public.coach_record_exchange(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype;
  v_ai_row uuid;
begin
  select * into v_run from public.chat_runs r
  where r.id = (p ->> 'run_id')::uuid and r.user_id = (p ->> 'user_id')::uuid
  for update;
  if not found then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.status <> 'completed' and v_run.answered_at is null then
    v_run := public._coach_set_run_thread(v_run, p ->> 'thread_id');
    v_ai_row := public._coach_store_answer(v_run, p -> 'answer');
    perform public._coach_safety_event(v_run, p -> 'safety_event', v_ai_row);
    update public.chat_runs r
    set status = 'completed', ai_message_id = v_ai_row, answered_at = now(), reservation_open = false,
        openai_response_id = coalesce(p -> 'answer' ->> 'openai_response_id', r.openai_response_id),
        failure_code = null, completed_at = now(), updated_at = now()
    where r.id = v_run.id;
  end if;
  return coalesce(public._coach_reply(v_run.id), public._coach_answer_deleted());
end
$$;
