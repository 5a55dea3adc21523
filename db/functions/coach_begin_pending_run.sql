-- The 202 path (BeginPendingRunInput: the run, its user, its thread, the response id): the run
-- pending with its response id, the thread. Its reservation stays open until the poller
-- records the answer. Idempotent.
create or replace function public.coach_begin_pending_run(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype;
begin
  select * into v_run from public.chat_runs r
  where r.id = (p ->> 'run_id')::uuid and r.user_id = (p ->> 'user_id')::uuid
  for update;
  if not found then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.status = 'in_flight' and v_run.answered_at is null then
    v_run := public._coach_set_run_thread(v_run, p ->> 'thread_id');
    perform public._coach_upsert_thread(v_run.user_id, v_run.assistant_type, v_run.thread_id, v_run.profile_ref, 0, null, true);
    update public.chat_runs r
    set status = 'pending', openai_response_id = p ->> 'openai_response_id', updated_at = now()
    where r.id = v_run.id;
  end if;
  return pg_catalog.jsonb_build_object(
    'run_id', v_run.id, 'user_message_id', v_run.user_message_id, 'thread_id', coalesce(v_run.thread_id, ''));
end
$$;
