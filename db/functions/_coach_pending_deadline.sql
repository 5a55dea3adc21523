-- How long a pending run may wait for its poller: the state machine's own timeout
-- (poll budget 600 s + 300 s margin, lib/poller.ts) plus slack. Past it the run is abandoned.
create or replace function public._coach_pending_deadline() returns interval
language sql immutable security invoker set search_path = '' set timezone to 'UTC'
as $$ select interval '20 minutes' $$;
