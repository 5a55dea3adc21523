-- Set the thread's conversation id (creating the thread if needed), keeping a replaced id in
-- legacy_thread_ids. A conversation (`conv_…`) is adopted only by a thread that has none yet:
-- a thread keeps the first conversation saved for it, and every caller gets that one back (two
-- first messages, or a message and thread-manager, that raced each other end on one
-- conversation). Chat saves a new conversation here before its first responses.create on it,
-- so a crash cannot leave a conversation holding the user's messages that no thread names.
create or replace function public.coach_save_thread_conversation(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_type text := p ->> 'assistant_type';
  v_conversation text;
begin
  if pg_catalog.starts_with(p ->> 'thread_id', 'conv_') then
    insert into public.coach_conversations (user_id, assistant_type, conversation_id)
    values (v_user, v_type, p ->> 'thread_id')
    on conflict do nothing;
  end if;
  select c.conversation_id into v_conversation from public.coach_conversations c
  where c.user_id = v_user and c.assistant_type = v_type;
  if v_conversation is null and pg_catalog.starts_with(p ->> 'thread_id', 'conv_') then
    raise exception 'coach_save_thread_conversation: the conversation is another user''s';
  end if;
  return public._coach_thread_json(public._coach_upsert_thread(
    v_user, v_type, coalesce(v_conversation, p ->> 'thread_id'), p ->> 'profile_ref', 0, null, false));
end
$$;
