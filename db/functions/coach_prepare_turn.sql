-- The "prepare" round trip: refusals, the idempotency claim, then everything the turn needs.
create or replace function public.coach_prepare_turn(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_type text := p ->> 'assistant_type';
  v_goal uuid := (p ->> 'goal_id')::uuid;
  v_key text := p ->> 'client_message_id';
  v_ttl int := coalesce((p ->> 'claim_ttl_seconds')::int, 60);
  v_refusal jsonb;
  v_run public.chat_runs%rowtype;
  v_run_id uuid;
begin
  v_refusal := coalesce(public._coach_goal_refusal(v_user, v_goal), public._coach_thread_refusal(v_user, p ->> 'thread_id'));
  if v_refusal is not null then
    return v_refusal;
  end if;

  -- Claim the key. A concurrent identical request waits here on the unique index, then
  -- finds the committed claim below (or claims it if the first one rolled back).
  for attempt in 1..3 loop
    insert into public.chat_runs as r (user_id, client_message_id, status, assistant_type, chat_type, goal_id)
    values (v_user, v_key, 'in_flight', v_type, p ->> 'chat_type', v_goal)
    on conflict (user_id, client_message_id) do nothing
    returning r.id into v_run_id;
    exit when v_run_id is not null;

    select * into v_run from public.chat_runs r
    where r.user_id = v_user and r.client_message_id = v_key
    for update;
    continue when not found; -- released in between: claim again

    if v_run.status = 'completed' or v_run.ai_message_id is not null then
      return pg_catalog.jsonb_build_object('kind', 'replay', 'reply', public._coach_reply(v_run.id));
    elsif (v_run.status = 'pending' and v_run.updated_at >= now() - public._coach_pending_deadline())
       or (v_run.status = 'in_flight' and v_run.claimed_at > now() - pg_catalog.make_interval(secs => v_ttl)) then
      return pg_catalog.jsonb_build_object('kind', 'in_flight', 'run_id', v_run.id, 'status', v_run.status);
    end if;

    -- An abandoned claim, or a run that ended without any answer: answer it now.
    update public.chat_runs r
    set status = 'in_flight', attempts = r.attempts + 1, claimed_at = now(), updated_at = now(),
        assistant_type = v_type, chat_type = p ->> 'chat_type', goal_id = v_goal,
        failure_code = null, openai_response_id = null, completed_at = null
    where r.id = v_run.id;
    v_run_id := v_run.id;
    exit;
  end loop;
  if v_run_id is null then
    raise exception 'coach_prepare_turn: could not claim (%, %)', v_user, v_key;
  end if;

  return pg_catalog.jsonb_build_object(
    'kind', 'claimed',
    'run_id', v_run_id,
    'thread', (
      select pg_catalog.jsonb_build_object('id', t.id, 'thread_id', t.thread_id, 'openai_assistant_id', t.openai_assistant_id)
      from public.user_assistant_threads t
      where t.user_id = v_user and t.assistant_type = v_type),
    'context', public._coach_context(v_user, v_goal, (p ->> 'recent_limit')::int),
    'settings', coalesce((
      select pg_catalog.jsonb_build_object(
        'openai_enabled', s.openai_enabled,
        'fallback_enabled', s.fallback_enabled,
        'daily_token_limit', s.daily_token_limit,
        'daily_cost_limit_usd', s.daily_cost_limit_usd::float8,
        'cohort', s.cohort)
      from public.user_ai_settings s where s.user_id = v_user),
      pg_catalog.jsonb_build_object('openai_enabled', null, 'fallback_enabled', null, 'daily_token_limit', null,
                                    'daily_cost_limit_usd', null, 'cohort', null)),
    'usage_today', (
      select pg_catalog.jsonb_build_object(
        'tokens', coalesce(sum(u.total_tokens), 0),
        'cost_usd', coalesce(sum(u.cost_estimate), 0)::float8,
        'messages', count(*))
      from public.openai_usage_logs u
      where u.user_id = v_user
        and u.created_at >= pg_catalog.date_trunc('day', now())));
end
$$;
