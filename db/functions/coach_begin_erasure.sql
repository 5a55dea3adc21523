-- ai-data delete: starts an erasure of the user's AI data, or finds the one already running.
-- Input {user_id, claim_ttl_seconds}. Output {erasure: AiDataErasure, attempt, start}: `start`
-- is true when an execution must be started for `attempt` (a new erasure, or one resumed
-- because it failed or stalled), false when one is running already. A resumed erasure keeps
-- its id and work list and collects again whatever is new. The rows here are taken at once
-- (_coach_erasure_collect) unless a turn is still being answered; then the first step does it.
create or replace function public.coach_begin_erasure(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_erasure public.ai_data_erasures%rowtype;
  v_running boolean := false;
  v_resume boolean := false;
begin
  -- Exclusive: turns that hold the lock shared commit first, and no new one starts meanwhile.
  perform pg_catalog.pg_advisory_xact_lock(public._coach_erasure_lock_key(v_user));

  select * into v_erasure from public.ai_data_erasures e
  where e.user_id = v_user and e.status = 'pending'
  for update;
  if found then
    v_running := v_erasure.updated_at >= now() - public._coach_erasure_deadline();
    v_resume := not v_running;
  else
    -- The latest erasure, if it failed, is resumed rather than started afresh.
    select * into v_erasure from public.ai_data_erasures e
    where e.user_id = v_user
    order by e.created_at desc
    limit 1
    for update;
    v_resume := found and v_erasure.status = 'failed';
    if not v_resume then
      insert into public.ai_data_erasures (user_id) values (v_user) returning * into v_erasure;
    end if;
  end if;

  if v_resume then
    update public.ai_data_erasures e
    set status = 'pending', phase = 'collecting', failure_code = null, attempts = e.attempts + 1,
        completed_at = null, updated_at = now()
    where e.id = v_erasure.id;
  end if;
  perform public._coach_erasure_collect(v_erasure.id, coalesce((p ->> 'claim_ttl_seconds')::int, 60));

  select * into v_erasure from public.ai_data_erasures e where e.id = v_erasure.id;
  return pg_catalog.jsonb_build_object(
    'erasure', public._coach_erasure_json(v_erasure),
    'attempt', v_erasure.attempts,
    'start', not v_running);
end
$$;
