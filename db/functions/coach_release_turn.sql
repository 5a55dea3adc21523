-- The sync path gave up before storing anything: drop the claim so a retry may proceed.
create or replace function public.coach_release_turn(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  delete from public.chat_runs r
  where r.id = (p ->> 'run_id')::uuid
    and r.user_id = (p ->> 'user_id')::uuid
    and r.status = 'in_flight'
    and r.user_message_id is null
    and not exists (select 1 from public.journal_ai_chats c where c.run_id = r.id);
  return '{}'::jsonb;
end
$$;
