-- Set the thread's conversation id (creating the thread if needed), keeping a replaced
-- local id in legacy_thread_ids.
create or replace function public.coach_save_thread_conversation(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  return public._coach_thread_json(public._coach_upsert_thread(
    (p ->> 'user_id')::uuid, p ->> 'assistant_type', p ->> 'thread_id', p ->> 'profile_ref', 0, null, false));
end
$$;
