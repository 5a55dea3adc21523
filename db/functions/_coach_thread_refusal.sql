-- A thread id is the user's if it is their conversation (coach_conversations, which only the
-- backend writes), or the current or a legacy id of one of their threads; but never another
-- user's conversation, even written into the user's own row: 404 thread_not_found if nobody's,
-- 403 thread_forbidden if another user's.
create or replace function public._coach_thread_refusal(p_user uuid, p_thread text) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select case
    when p_thread is null then null
    when exists (
      select 1 from public.coach_conversations c where c.user_id = p_user and c.conversation_id = p_thread
    ) then null
    when exists (select 1 from public.coach_conversations c where c.conversation_id = p_thread)
      then public._coach_refusal(403, 'thread_forbidden', 'This thread belongs to another user.')
    when exists (
      select 1 from public.user_assistant_threads t
      where t.user_id = p_user and (t.thread_id = p_thread or t.legacy_thread_ids @> array[p_thread])
    ) then null
    when exists (
      select 1 from public.user_assistant_threads t
      where t.thread_id = p_thread or t.legacy_thread_ids @> array[p_thread]
    ) then public._coach_refusal(403, 'thread_forbidden', 'This thread belongs to another user.')
    else public._coach_refusal(404, 'thread_not_found', 'No such thread.')
  end
$$;
