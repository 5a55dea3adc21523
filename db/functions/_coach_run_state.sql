-- RunState as the owner sees it (the 202 poll), or 410 answer_deleted once the user deleted a
-- row of the exchange. Never pending for ever: an in-flight claim past the claim TTL reads as
-- failed `abandoned` (nobody is answering it; sending the message again with the same key
-- answers it), a pending run past its poller's deadline as failed `timed_out` (the state
-- machine stops at 900 s).
create or replace function public._coach_run_state(p_run uuid) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select case
    when r.user_message_id is null
      or (r.status = 'completed' or r.answered_at is not null) and public._coach_reply(r.id) is null
      then public._coach_answer_deleted()
    when r.status = 'completed' then
      pg_catalog.jsonb_build_object('status', 'completed', 'run_id', r.id) || public._coach_reply(r.id)
    when public._coach_run_is_live(r) then pg_catalog.jsonb_build_object(
      'status', 'pending',
      'run_id', r.id,
      'thread_id', coalesce(r.thread_id, ''),
      'user_message_id', r.user_message_id,
      'retry_after_ms', 2000)
    else pg_catalog.jsonb_build_object(
      'status', 'failed',
      'run_id', r.id,
      'thread_id', coalesce(r.thread_id, ''),
      'user_message_id', r.user_message_id,
      'code', case r.status when 'in_flight' then 'abandoned' when 'pending' then 'timed_out' else r.status end,
      'error', case r.status
        when 'in_flight' then 'This message was not answered; send it again.'
        when 'pending' then 'The coach took too long to answer.'
        when 'timed_out' then 'The coach took too long to answer.'
        when 'cancelled' then 'The answer was cancelled.'
        when 'incomplete' then 'The coach could not finish this answer.'
        else 'The coach could not answer this message.'
      end,
      'reply', public._coach_reply(r.id))
  end
  from public.chat_runs r
  where r.id = p_run
$$;
