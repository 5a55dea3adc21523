-- How long an in-flight claim holds its key and its thread: longer than the chat function's
-- 28 s timeout (lambdas/shared/contract/timing.ts), so a claim older than this belongs to an
-- invocation that died. Past it the claim is abandoned: the same key may claim it again, and
-- another message may use the thread.
create or replace function public._coach_claim_ttl() returns interval
language sql immutable security invoker set search_path = '' set timezone to 'UTC'
as $$ select interval '60 seconds' $$;
