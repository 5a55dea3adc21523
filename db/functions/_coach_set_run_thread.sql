-- The run's thread (conversation or local id) once it is known, kept in step on its user row.
create or replace function public._coach_set_run_thread(p_run public.chat_runs, p_thread text)
returns public.chat_runs
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype := p_run;
begin
  if p_thread is null or p_thread is not distinct from p_run.thread_id then
    return v_run;
  end if;
  update public.chat_runs r set thread_id = p_thread, updated_at = now()
  where r.id = p_run.id
  returning r.* into v_run;
  update public.journal_ai_chats c set openai_thread_id = p_thread
  where c.id = p_run.user_message_id and c.user_id = p_run.user_id;
  return v_run;
end
$$;
