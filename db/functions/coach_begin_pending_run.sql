-- The 202 path: the user row, the thread, and the run pending with the response id. Idempotent.
create or replace function public.coach_begin_pending_run(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype;
  v_user_row uuid;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid for update;
  if not found or v_run.user_id <> (p ->> 'user_id')::uuid then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.user_message_id is not null
     and (v_run.status in ('pending', 'completed') or v_run.ai_message_id is not null) then
    return pg_catalog.jsonb_build_object(
      'run_id', v_run.id, 'user_message_id', v_run.user_message_id, 'thread_id', v_run.thread_id);
  end if;

  update public.chat_runs r
  set assistant_type = p ->> 'assistant_type', profile_ref = p ->> 'profile_ref', thread_id = p ->> 'thread_id',
      chat_type = p ->> 'chat_type', goal_id = (p ->> 'goal_id')::uuid,
      journal_entry_id = (p ->> 'journal_entry_id')::uuid
  where r.id = v_run.id
  returning r.* into v_run;

  v_user_row := public._coach_ensure_user_row(v_run, p ->> 'message');
  perform public._coach_upsert_thread(v_run.user_id, v_run.assistant_type, v_run.thread_id, v_run.profile_ref, 0, null, true);

  update public.chat_runs r
  set status = 'pending', openai_response_id = p ->> 'openai_response_id', user_message_id = v_user_row,
      updated_at = now()
  where r.id = v_run.id;

  return pg_catalog.jsonb_build_object('run_id', v_run.id, 'user_message_id', v_user_row, 'thread_id', v_run.thread_id);
end
$$;
