-- The advisory lock that orders a user's erasure against the same user's chat turns: a
-- turn takes it shared (in _coach_erasure_refusal), the start of an erasure exclusively, so
-- no turn claimed before the erasure began can go unseen by it, and none starts after.
create or replace function public._coach_erasure_lock_key(p_user uuid) returns bigint
language sql immutable security invoker set search_path = '' set timezone to 'UTC'
as $$ select pg_catalog.hashtextextended('mivia-coach:ai-data:' || p_user::text, 0) $$;
