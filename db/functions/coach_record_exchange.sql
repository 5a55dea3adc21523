-- The "record" round trip, exactly once per run: the user row (unless stored already), the
-- AI row, the usage log, the thread, and the run completed. A completed run writes nothing.
create or replace function public.coach_record_exchange(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype;
  v_user_row uuid;
  v_ai_row uuid;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid for update;
  if not found or v_run.user_id <> (p ->> 'user_id')::uuid then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.status = 'completed' or v_run.ai_message_id is not null then
    return public._coach_reply(v_run.id);
  end if;

  update public.chat_runs r
  set assistant_type = p ->> 'assistant_type', profile_ref = p ->> 'profile_ref', thread_id = p ->> 'thread_id',
      chat_type = p ->> 'chat_type', goal_id = (p ->> 'goal_id')::uuid,
      journal_entry_id = (p ->> 'journal_entry_id')::uuid
  where r.id = v_run.id
  returning r.* into v_run;

  v_user_row := public._coach_ensure_user_row(v_run, p ->> 'message');
  v_ai_row := public._coach_store_answer(v_run, p -> 'answer');

  update public.chat_runs r
  set status = 'completed', user_message_id = v_user_row, ai_message_id = v_ai_row,
      openai_response_id = coalesce(p -> 'answer' ->> 'openai_response_id', r.openai_response_id),
      failure_code = null, completed_at = now(), updated_at = now()
  where r.id = v_run.id;

  return public._coach_reply(v_run.id);
end
$$;
