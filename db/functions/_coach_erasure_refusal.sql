-- 409 erasure_in_progress while an erasure of the user's AI data runs, else null. Anything
-- that writes the user's AI data (the chat's prepare first of all) calls it before writing,
-- in the same transaction: it takes the user's erasure lock shared, so an erasure that is
-- starting waits for the write to commit (and then sees it), or the write sees the erasure.
create or replace function public._coach_erasure_refusal(p_user uuid) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock_shared(public._coach_erasure_lock_key(p_user));
  if exists (
    select 1 from public.ai_data_erasures e
    where e.user_id = p_user and e.status = 'pending' and e.updated_at >= now() - public._coach_erasure_deadline()
  ) then
    return public._coach_refusal(409, 'erasure_in_progress',
      'Your AI data is being erased; try again when the erasure has finished.');
  end if;
  return null;
end
$$;
