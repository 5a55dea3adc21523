-- Whether a run may still be answered by whoever holds it: an in-flight claim younger than the
-- claim TTL, or a pending run younger than its poller's deadline. A live run keeps its key
-- (409 request_in_flight) and its thread (409 thread_busy); any other run is finished or
-- abandoned.
create or replace function public._coach_run_is_live(p_run public.chat_runs) returns boolean
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select (p_run.status = 'in_flight' and p_run.claimed_at > now() - public._coach_claim_ttl())
      or (p_run.status = 'pending' and p_run.updated_at >= now() - public._coach_pending_deadline())
$$;
