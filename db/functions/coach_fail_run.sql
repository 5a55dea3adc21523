-- Mark a run failed (or cancelled, incomplete, timed out), storing the fallback answer if
-- given, and settle its reservation to nothing (a fallback costs nothing). A run that already
-- has an answer is returned unchanged.
create or replace function public.coach_fail_run(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype;
  v_ai_row uuid;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid for update;
  if not found then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.status = 'completed' or v_run.answered_at is not null then
    return public._coach_run_state(v_run.id);
  end if;

  if pg_catalog.jsonb_typeof(p -> 'fallback') = 'object' then
    v_ai_row := public._coach_store_answer(v_run, p -> 'fallback');
  end if;

  update public.chat_runs r
  set status = p ->> 'status', failure_code = p ->> 'failure_code', ai_message_id = v_ai_row,
      answered_at = case when v_ai_row is null then null else now() end, reservation_open = false,
      completed_at = now(), updated_at = now()
  where r.id = v_run.id;

  return public._coach_run_state(v_run.id);
end
$$;
