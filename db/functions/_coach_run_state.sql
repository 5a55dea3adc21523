-- RunState as the owner sees it (the 202 poll).
create or replace function public._coach_run_state(p_run uuid) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select case
    -- A pending run outlives its poller only if the whole execution died (the state machine
    -- stops at 900 s): past the deadline it is reported as timed out, never pending forever.
    when r.status = 'pending' and r.updated_at < now() - public._coach_pending_deadline() then pg_catalog.jsonb_build_object(
      'status', 'failed',
      'run_id', r.id,
      'thread_id', coalesce(r.thread_id, ''),
      'user_message_id', r.user_message_id,
      'code', 'timed_out',
      'error', 'The coach took too long to answer.',
      'reply', null)
    when r.status in ('in_flight', 'pending') then pg_catalog.jsonb_build_object(
      'status', 'pending',
      'run_id', r.id,
      'thread_id', coalesce(r.thread_id, ''),
      'user_message_id', r.user_message_id,
      'retry_after_ms', 2000)
    when r.status = 'completed' then
      pg_catalog.jsonb_build_object('status', 'completed', 'run_id', r.id) || coalesce(public._coach_reply(r.id), '{}'::jsonb)
    else pg_catalog.jsonb_build_object(
      'status', 'failed',
      'run_id', r.id,
      'thread_id', coalesce(r.thread_id, ''),
      'user_message_id', r.user_message_id,
      'code', r.status,
      'error', case r.status
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
