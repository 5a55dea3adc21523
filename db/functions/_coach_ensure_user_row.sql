-- The run's user row: the one it keeps, or a new one dated when the turn was claimed. Written
-- by the claim, so the message is stored before anything is sent to OpenAI.
create or replace function public._coach_ensure_user_row(p_run public.chat_runs, p_message text) returns uuid
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_id uuid;
begin
  select c.id into v_id from public.journal_ai_chats c
  where c.id = p_run.user_message_id and c.user_id = p_run.user_id;
  if v_id is null then
    insert into public.journal_ai_chats
      (user_id, journal_entry_id, message, response, message_type, chat_type, goal_id, created_at,
       openai_thread_id, run_id, client_message_id)
    values
      (p_run.user_id, p_run.journal_entry_id, p_message, null, 'user', p_run.chat_type, p_run.goal_id,
       p_run.claimed_at, p_run.thread_id, p_run.id, p_run.client_message_id)
    returning id into v_id;
  end if;
  return v_id;
end
$$;
