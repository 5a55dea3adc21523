-- How long a pending erasure may go without a step before it counts as stalled: well above
-- the longest pause of the erasure state machine (its retries back off up to 5 minutes,
-- lib/erasure.ts). A stalled erasure reads as failed and a new delete request resumes it.
create or replace function public._coach_erasure_deadline() returns interval
language sql immutable security invoker set search_path = '' set timezone to 'UTC'
as $$ select interval '1 hour' $$;
