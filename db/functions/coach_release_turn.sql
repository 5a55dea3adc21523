-- The sync path gave up with nothing answered (a 503): the claim, its reservation and the
-- user's row go, so a retry with the same key starts afresh. A run that has a response id or
-- an answer is never released.
create or replace function public.coach_release_turn(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_run public.chat_runs%rowtype;
begin
  select * into v_run from public.chat_runs r
  where r.id = (p ->> 'run_id')::uuid and r.user_id = (p ->> 'user_id')::uuid
    and r.status = 'in_flight' and r.openai_response_id is null and r.answered_at is null
  for update;
  if found then
    delete from public.chat_runs r where r.id = v_run.id;
    delete from public.journal_ai_chats c
    where c.id = v_run.user_message_id and c.user_id = v_run.user_id and c.message_type = 'user';
  end if;
  return '{}'::jsonb;
end
$$;
