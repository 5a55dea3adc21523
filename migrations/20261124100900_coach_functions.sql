-- The backend's whole database surface (docs/data-model.md, "The functions"): one
-- `public.coach_<name>(p jsonb) returns jsonb` per ChatStore method, taking and returning the
-- JSON shapes of lambdas/shared/ports.ts unchanged. Expected refusals are returned as
-- {"error": {"status", "code", "message"}}, never raised; anything raised is a fault.
--
-- Every function is `security invoker` with `search_path = ''`: tables are schema-qualified,
-- built-ins resolve in pg_catalog (always searched first), so nothing can be shadowed. Only
-- service_role may execute them: Supabase's default privileges grant execute on new
-- functions in `public` to anon and authenticated, and PostgREST exposes every function in
-- `public`, so execute is revoked from public, anon and authenticated at the end of the file.
--
-- The `_coach_*` helpers are private building blocks (same privileges). All are
-- `create or replace`, so re-running this file changes nothing.
--
-- Times: journal_ai_chats and user_assistant_threads use `timestamp without time zone`,
-- which the app fills with UTC; the functions write `now() at time zone 'utc'` there and
-- format every time as ISO-8601 with a `Z`. Numerics are returned as JSON numbers.

-- ---------------------------------------------------------------------------------------
-- Private helpers
-- ---------------------------------------------------------------------------------------

-- ISO-8601 in UTC for a UTC `timestamp` (a timestamptz is passed as `x at time zone 'utc'`).
create or replace function public._coach_iso(ts timestamp) returns text
language sql stable security invoker set search_path = ''
as $$
  select pg_catalog.to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

create or replace function public._coach_refusal(p_status int, p_code text, p_message text) returns jsonb
language sql immutable security invoker set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'error', pg_catalog.jsonb_build_object('status', p_status, 'code', p_code, 'message', p_message))
$$;

-- 404 goal_not_found / 403 goal_forbidden, or null when the goal is absent or the user's.
create or replace function public._coach_goal_refusal(p_user uuid, p_goal uuid) returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select case
    when p_goal is null then null
    when not exists (select 1 from public.user_goals g where g.id = p_goal)
      then public._coach_refusal(404, 'goal_not_found', 'No such goal.')
    when not exists (select 1 from public.user_goals g where g.id = p_goal and g.user_id = p_user)
      then public._coach_refusal(403, 'goal_forbidden', 'This goal belongs to another user.')
  end
$$;

-- A thread id is the user's if it is the current or a legacy (merged, replaced) id of one of
-- their threads: 404 thread_not_found if nobody's, 403 thread_forbidden if another user's.
create or replace function public._coach_thread_refusal(p_user uuid, p_thread text) returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select case
    when p_thread is null then null
    when exists (
      select 1 from public.user_assistant_threads t
      where t.user_id = p_user and (t.thread_id = p_thread or t.legacy_thread_ids @> array[p_thread])
    ) then null
    when exists (
      select 1 from public.user_assistant_threads t
      where t.thread_id = p_thread or t.legacy_thread_ids @> array[p_thread]
    ) then public._coach_refusal(403, 'thread_forbidden', 'This thread belongs to another user.')
    else public._coach_refusal(404, 'thread_not_found', 'No such thread.')
  end
$$;

-- CoachContextData: the latest rating per pillar, active goals with pillar names, the
-- specific goal (only if it is the user's), and the last p_limit user messages cut to 200
-- characters, newest first. The same query serves coach_prepare_turn, coach_get_pending_run
-- and coach_context_data.
create or replace function public._coach_context(p_user uuid, p_goal uuid, p_limit int) returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'display_name', (select pr.display_name from public.profiles pr where pr.id = p_user),
    'ratings', coalesce((
      select pg_catalog.jsonb_agg(
               pg_catalog.jsonb_build_object(
                 'pillar', lr.pillar,
                 'pillar_display_name', coalesce(pl.display_name, lr.pillar),
                 'rating', lr.rating,
                 'rated_at', public._coach_iso(lr.created_at))
               order by pl.sort_order nulls last, lr.pillar)
      from (
        select distinct on (r.pillar) r.pillar, r.rating, r.created_at
        from public.pillar_ratings r
        where r.user_id = p_user
        order by r.pillar, r.created_at desc nulls last, r.id desc
      ) as lr
      left join public.pillars pl on pl.name = lr.pillar
    ), '[]'::jsonb),
    'goals', coalesce((
      select pg_catalog.jsonb_agg(
               pg_catalog.jsonb_build_object(
                 'id', g.id, 'title', g.title, 'focus', g.focus,
                 'pillar', pl.name, 'pillar_display_name', pl.display_name)
               order by g.created_at nulls last, g.id)
      from public.user_goals g
      left join public.pillars pl on pl.id = g.pillar_id
      where g.user_id = p_user and g.is_active
    ), '[]'::jsonb),
    'goal', (
      select pg_catalog.jsonb_build_object(
               'id', g.id, 'title', g.title, 'focus', g.focus,
               'pillar', pl.name, 'pillar_display_name', pl.display_name)
      from public.user_goals g
      left join public.pillars pl on pl.id = g.pillar_id
      where g.id = p_goal and g.user_id = p_user
    ),
    'recent_messages', coalesce((
      select pg_catalog.jsonb_agg(
               pg_catalog.jsonb_build_object(
                 'message', pg_catalog.left(m.message, 200),
                 'chat_type', m.chat_type,
                 'created_at', public._coach_iso(m.created_at))
               order by m.created_at desc nulls last, m.id)
      from (
        select c.id, c.message, c.chat_type, c.created_at
        from public.journal_ai_chats c
        where c.user_id = p_user and c.message_type = 'user'
        order by c.created_at desc nulls last, c.id
        limit greatest(least(coalesce(p_limit, 5), 50), 0)
      ) as m
    ), '[]'::jsonb)
  )
$$;

-- UserAssistantThread (the PRD's shape; legacy ids stay internal).
create or replace function public._coach_thread_json(t public.user_assistant_threads) returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'id', t.id,
    'user_id', t.user_id,
    'assistant_type', t.assistant_type,
    'thread_id', t.thread_id,
    'openai_assistant_id', t.openai_assistant_id,
    'total_tokens_used', coalesce(t.total_tokens_used, 0),
    'last_cost_estimate', coalesce(t.last_cost_estimate, 0)::float8,
    'created_at', public._coach_iso(coalesce(t.created_at, t.updated_at at time zone 'utc')),
    'last_interaction_at', public._coach_iso(coalesce(t.last_interaction_at, t.created_at, t.updated_at at time zone 'utc')))
$$;

-- The stored ChatReply of a run: its AI row and its user row. Null if it has no AI row.
create or replace function public._coach_reply(p_run uuid) returns jsonb
language sql stable security invoker set search_path = ''
as $$
  select pg_catalog.jsonb_build_object(
    'response', coalesce(a.response, a.message),
    'thread_id', coalesce(a.openai_thread_id, r.thread_id, ''),
    'tokens_used', coalesce(a.tokens_used, 0),
    'model_used', coalesce(a.model_used, ''),
    'cost_estimate', coalesce(a.cost_estimate, 0)::float8,
    'message_id', a.id,
    'user_message_id', coalesce(r.user_message_id, (
      select u.id from public.journal_ai_chats u where u.run_id = r.id and u.message_type = 'user')),
    'response_time_ms', coalesce(a.response_time_ms, 0),
    'variant', coalesce(a.variant, 'simulated'),
    'fallback', a.fallback)
  from public.chat_runs r
  join public.journal_ai_chats a on a.id = r.ai_message_id
  where r.id = p_run
$$;

-- How long a pending run may wait for its poller: the state machine's own timeout
-- (poll budget 600 s + 300 s margin, lib/poller.ts) plus slack. Past it the run is abandoned.
create or replace function public._coach_pending_deadline() returns interval
language sql immutable security invoker set search_path = ''
as $$ select interval '20 minutes' $$;

-- RunState as the owner sees it (the 202 poll).
create or replace function public._coach_run_state(p_run uuid) returns jsonb
language sql stable security invoker set search_path = ''
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

-- One thread per (user, assistant type): set its id and profile, add tokens, keep the cost
-- of the last answer, and (p_touch) mark the interaction. A replaced id that is not an
-- OpenAI conversation (`conv_…`) is kept in legacy_thread_ids, so the app's id still resolves.
create or replace function public._coach_upsert_thread(
  p_user uuid, p_type text, p_thread text, p_profile_ref text, p_tokens int, p_cost numeric, p_touch boolean
) returns public.user_assistant_threads
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_now timestamp := now() at time zone 'utc';
  v_row public.user_assistant_threads%rowtype;
begin
  insert into public.user_assistant_threads as t
    (user_id, assistant_type, thread_id, openai_assistant_id, total_tokens_used, last_cost_estimate,
     created_at, last_interaction_at, updated_at)
  values (p_user, p_type, p_thread, p_profile_ref, coalesce(p_tokens, 0), coalesce(p_cost, 0), v_now, v_now, now())
  on conflict (user_id, assistant_type) do update set
    thread_id = excluded.thread_id,
    legacy_thread_ids = pg_catalog.array_remove(
      case
        when t.thread_id <> excluded.thread_id
             and not pg_catalog.starts_with(t.thread_id, 'conv_')
             and not (t.legacy_thread_ids @> array[t.thread_id])
          then t.legacy_thread_ids || t.thread_id
        else t.legacy_thread_ids
      end,
      excluded.thread_id),
    openai_assistant_id = coalesce(excluded.openai_assistant_id, t.openai_assistant_id),
    total_tokens_used = coalesce(t.total_tokens_used, 0) + coalesce(p_tokens, 0),
    last_cost_estimate = coalesce(p_cost, t.last_cost_estimate),
    last_interaction_at = case when p_touch then v_now else t.last_interaction_at end,
    updated_at = now()
  returning t.* into v_row;
  return v_row;
end
$$;

-- The run's user row: the existing one, or a new one dated when the turn was claimed.
create or replace function public._coach_ensure_user_row(p_run public.chat_runs, p_message text) returns uuid
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_id uuid := p_run.user_message_id;
begin
  if v_id is null then
    select c.id into v_id from public.journal_ai_chats c where c.run_id = p_run.id and c.message_type = 'user';
  end if;
  if v_id is null then
    insert into public.journal_ai_chats
      (user_id, journal_entry_id, message, response, message_type, chat_type, goal_id, created_at,
       openai_thread_id, run_id, client_message_id)
    values
      (p_run.user_id, p_run.journal_entry_id, p_message, null, 'user', p_run.chat_type, p_run.goal_id,
       p_run.claimed_at at time zone 'utc', p_run.thread_id, p_run.id, p_run.client_message_id)
    returning id into v_id;
  end if;
  return v_id;
end
$$;

-- The run's AI row (message and response both carry the answer, as the app's rows do),
-- the usage log for an OpenAI answer, and the thread's counters. Returns the AI row id.
create or replace function public._coach_store_answer(p_run public.chat_runs, p_answer jsonb) returns uuid
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_usage jsonb := coalesce(p_answer -> 'usage', '{}'::jsonb);
  v_total int := coalesce((v_usage ->> 'total_tokens')::int, 0);
  v_cost numeric := coalesce((p_answer ->> 'cost_estimate')::numeric, 0);
  v_ai uuid;
begin
  insert into public.journal_ai_chats
    (user_id, journal_entry_id, message, response, message_type, chat_type, goal_id, created_at,
     openai_thread_id, tokens_used, model_used, response_time_ms, variant, fallback,
     openai_response_id, cost_estimate, run_id, client_message_id)
  values
    (p_run.user_id, p_run.journal_entry_id, p_answer ->> 'response', p_answer ->> 'response', 'ai',
     p_run.chat_type, p_run.goal_id, now() at time zone 'utc',
     p_run.thread_id, v_total, p_answer ->> 'model_used', (p_answer ->> 'response_time_ms')::int,
     p_answer ->> 'variant', coalesce((p_answer ->> 'fallback')::boolean, false),
     p_answer ->> 'openai_response_id', v_cost, p_run.id, p_run.client_message_id)
  returning id into v_ai;

  if p_answer ->> 'variant' = 'openai' then
    insert into public.openai_usage_logs
      (user_id, thread_id, message_id, prompt_tokens, completion_tokens, total_tokens, cached_tokens,
       cache_write_tokens, reasoning_tokens, model_used, cost_estimate, response_time_ms,
       openai_response_id, run_id, variant, chat_type, assistant_type)
    values
      (p_run.user_id, coalesce(p_run.thread_id, ''), v_ai,
       coalesce((v_usage ->> 'input_tokens')::int, 0), coalesce((v_usage ->> 'output_tokens')::int, 0), v_total,
       coalesce((v_usage ->> 'cached_tokens')::int, 0), coalesce((v_usage ->> 'cache_write_tokens')::int, 0),
       coalesce((v_usage ->> 'reasoning_tokens')::int, 0), coalesce(p_answer ->> 'model_used', ''), v_cost,
       (p_answer ->> 'response_time_ms')::int, p_answer ->> 'openai_response_id', p_run.id, 'openai',
       p_run.chat_type, p_run.assistant_type);
  end if;

  if p_run.thread_id is not null then
    perform public._coach_upsert_thread(
      p_run.user_id, p_run.assistant_type, p_run.thread_id, p_run.profile_ref, v_total, v_cost, true);
  end if;
  return v_ai;
end
$$;

-- ---------------------------------------------------------------------------------------
-- The ChatStore functions
-- ---------------------------------------------------------------------------------------

-- The "prepare" round trip: refusals, the idempotency claim, then everything the turn needs.
create or replace function public.coach_prepare_turn(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
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
        and u.created_at >= (pg_catalog.date_trunc('day', now() at time zone 'utc') at time zone 'utc')));
end
$$;

-- The "record" round trip, exactly once per run: the user row (unless stored already), the
-- AI row, the usage log, the thread, and the run completed. A completed run writes nothing.
create or replace function public.coach_record_exchange(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_run public.chat_runs%rowtype;
  v_user_row uuid;
  v_ai_row uuid;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid for update;
  if not found or v_run.user_id <> (p ->> 'user_id')::uuid then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.status = 'completed' or v_run.ai_message_id is not null then
    return public._coach_reply(v_run.id);
  end if;

  update public.chat_runs r
  set assistant_type = p ->> 'assistant_type', profile_ref = p ->> 'profile_ref', thread_id = p ->> 'thread_id',
      chat_type = p ->> 'chat_type', goal_id = (p ->> 'goal_id')::uuid,
      journal_entry_id = (p ->> 'journal_entry_id')::uuid
  where r.id = v_run.id
  returning r.* into v_run;

  v_user_row := public._coach_ensure_user_row(v_run, p ->> 'message');
  v_ai_row := public._coach_store_answer(v_run, p -> 'answer');

  update public.chat_runs r
  set status = 'completed', user_message_id = v_user_row, ai_message_id = v_ai_row,
      openai_response_id = coalesce(p -> 'answer' ->> 'openai_response_id', r.openai_response_id),
      failure_code = null, completed_at = now(), updated_at = now()
  where r.id = v_run.id;

  return public._coach_reply(v_run.id);
end
$$;

-- The sync path gave up before storing anything: drop the claim so a retry may proceed.
create or replace function public.coach_release_turn(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
begin
  delete from public.chat_runs r
  where r.id = (p ->> 'run_id')::uuid
    and r.user_id = (p ->> 'user_id')::uuid
    and r.status = 'in_flight'
    and r.user_message_id is null
    and not exists (select 1 from public.journal_ai_chats c where c.run_id = r.id);
  return '{}'::jsonb;
end
$$;

-- The 202 path: the user row, the thread, and the run pending with the response id. Idempotent.
create or replace function public.coach_begin_pending_run(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_run public.chat_runs%rowtype;
  v_user_row uuid;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid for update;
  if not found or v_run.user_id <> (p ->> 'user_id')::uuid then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.user_message_id is not null
     and (v_run.status in ('pending', 'completed') or v_run.ai_message_id is not null) then
    return pg_catalog.jsonb_build_object(
      'run_id', v_run.id, 'user_message_id', v_run.user_message_id, 'thread_id', v_run.thread_id);
  end if;

  update public.chat_runs r
  set assistant_type = p ->> 'assistant_type', profile_ref = p ->> 'profile_ref', thread_id = p ->> 'thread_id',
      chat_type = p ->> 'chat_type', goal_id = (p ->> 'goal_id')::uuid,
      journal_entry_id = (p ->> 'journal_entry_id')::uuid
  where r.id = v_run.id
  returning r.* into v_run;

  v_user_row := public._coach_ensure_user_row(v_run, p ->> 'message');
  perform public._coach_upsert_thread(v_run.user_id, v_run.assistant_type, v_run.thread_id, v_run.profile_ref, 0, null, true);

  update public.chat_runs r
  set status = 'pending', openai_response_id = p ->> 'openai_response_id', user_message_id = v_user_row,
      updated_at = now()
  where r.id = v_run.id;

  return pg_catalog.jsonb_build_object('run_id', v_run.id, 'user_message_id', v_user_row, 'thread_id', v_run.thread_id);
end
$$;

-- For the poller: the run, the user's message and what recording its answer needs.
create or replace function public.coach_get_pending_run(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_run public.chat_runs%rowtype;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid;
  if not found then
    return null;
  end if;
  return pg_catalog.jsonb_build_object(
    'run_id', v_run.id,
    'user_id', v_run.user_id,
    'assistant_type', v_run.assistant_type,
    'profile_ref', v_run.profile_ref,
    'thread_id', v_run.thread_id,
    'chat_type', v_run.chat_type,
    'goal_id', v_run.goal_id,
    'journal_entry_id', v_run.journal_entry_id,
    'client_message_id', v_run.client_message_id,
    'message', coalesce((
      select c.message from public.journal_ai_chats c
      where c.id = v_run.user_message_id or (c.run_id = v_run.id and c.message_type = 'user')
      limit 1), ''),
    'status', v_run.status,
    'openai_response_id', v_run.openai_response_id,
    'user_message_id', v_run.user_message_id,
    'created_at', public._coach_iso(v_run.created_at at time zone 'utc'),
    'context', public._coach_context(v_run.user_id, v_run.goal_id, coalesce((p ->> 'recent_limit')::int, 5)),
    'settings', coalesce((
      select pg_catalog.jsonb_build_object(
        'openai_enabled', s.openai_enabled,
        'fallback_enabled', s.fallback_enabled,
        'daily_token_limit', s.daily_token_limit,
        'daily_cost_limit_usd', s.daily_cost_limit_usd::float8,
        'cohort', s.cohort)
      from public.user_ai_settings s where s.user_id = v_run.user_id),
      pg_catalog.jsonb_build_object('openai_enabled', null, 'fallback_enabled', null, 'daily_token_limit', null,
                                    'daily_cost_limit_usd', null, 'cohort', null)));
end
$$;

-- Mark a run failed (or cancelled, incomplete, timed out), storing the fallback answer if
-- given. A run that already has an answer is returned unchanged.
create or replace function public.coach_fail_run(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_run public.chat_runs%rowtype;
  v_ai_row uuid;
begin
  select * into v_run from public.chat_runs r where r.id = (p ->> 'run_id')::uuid for update;
  if not found then
    return public._coach_refusal(404, 'run_not_found', 'No such run.');
  end if;
  if v_run.status = 'completed' or v_run.ai_message_id is not null then
    return public._coach_run_state(v_run.id);
  end if;

  if pg_catalog.jsonb_typeof(p -> 'fallback') = 'object' then
    v_ai_row := public._coach_store_answer(v_run, p -> 'fallback');
  end if;

  update public.chat_runs r
  set status = p ->> 'status', failure_code = p ->> 'failure_code', ai_message_id = v_ai_row,
      completed_at = now(), updated_at = now()
  where r.id = v_run.id;

  return public._coach_run_state(v_run.id);
end
$$;

-- The run as its owner sees it; null if unknown or someone else's.
create or replace function public.coach_get_run(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
begin
  return (
    select public._coach_run_state(r.id)
    from public.chat_runs r
    where r.id = (p ->> 'run_id')::uuid and r.user_id = (p ->> 'user_id')::uuid);
end
$$;

create or replace function public.coach_get_thread(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
begin
  return (
    select public._coach_thread_json(t)
    from public.user_assistant_threads t
    where t.user_id = (p ->> 'user_id')::uuid and t.assistant_type = p ->> 'assistant_type');
end
$$;

-- Set the thread's conversation id (creating the thread if needed), keeping a replaced
-- local id in legacy_thread_ids.
create or replace function public.coach_save_thread_conversation(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
begin
  return public._coach_thread_json(public._coach_upsert_thread(
    (p ->> 'user_id')::uuid, p ->> 'assistant_type', p ->> 'thread_id', p ->> 'profile_ref', 0, null, false));
end
$$;

-- last_interaction_at = now() on the user's thread named by its current or a legacy id.
create or replace function public.coach_touch_thread(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_thread text := p ->> 'thread_id';
  v_id uuid;
  v_row public.user_assistant_threads%rowtype;
begin
  select t.id into v_id
  from public.user_assistant_threads t
  where t.user_id = v_user and (t.thread_id = v_thread or t.legacy_thread_ids @> array[v_thread])
  order by (t.thread_id = v_thread) desc, t.last_interaction_at desc nulls last
  limit 1;
  if v_id is null then
    return public._coach_refusal(404, 'thread_not_found', 'No such thread.');
  end if;
  update public.user_assistant_threads t
  set last_interaction_at = now() at time zone 'utc', updated_at = now()
  where t.id = v_id
  returning t.* into v_row;
  return public._coach_thread_json(v_row);
end
$$;

create or replace function public.coach_list_threads(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
begin
  return coalesce((
    select pg_catalog.jsonb_agg(public._coach_thread_json(t)
                                order by t.last_interaction_at desc nulls last, t.created_at desc nulls last, t.id)
    from public.user_assistant_threads t
    where t.user_id = (p ->> 'user_id')::uuid), '[]'::jsonb);
end
$$;

create or replace function public.coach_context_data(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_goal uuid := (p ->> 'goal_id')::uuid;
  v_refusal jsonb := public._coach_goal_refusal(v_user, v_goal);
begin
  if v_refusal is not null then
    return v_refusal;
  end if;
  return public._coach_context(v_user, v_goal, (p ->> 'recent_limit')::int);
end
$$;

-- Thumbs up/down on one of the user's own AI rows; a second rating replaces the first.
create or replace function public.coach_record_feedback(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = ''
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_message uuid := (p ->> 'message_id')::uuid;
  v_row public.chat_feedback%rowtype;
begin
  if not exists (
    select 1 from public.journal_ai_chats c
    where c.id = v_message and c.user_id = v_user and c.message_type = 'ai'
  ) then
    return public._coach_refusal(404, 'message_not_found', 'No such coach message.');
  end if;
  insert into public.chat_feedback as f (user_id, message_id, rating, comment)
  values (v_user, v_message, p ->> 'rating', p ->> 'comment')
  on conflict (user_id, message_id) do update
    set rating = excluded.rating, comment = excluded.comment, updated_at = now()
  returning f.* into v_row;
  return pg_catalog.jsonb_build_object(
    'id', v_row.id,
    'message_id', v_row.message_id,
    'rating', v_row.rating,
    'comment', v_row.comment,
    'created_at', public._coach_iso(v_row.created_at at time zone 'utc'),
    'updated_at', public._coach_iso(v_row.updated_at at time zone 'utc'));
end
$$;

-- ---------------------------------------------------------------------------------------
-- Privileges: service_role only.
-- ---------------------------------------------------------------------------------------

revoke execute on function public._coach_iso(timestamp) from public, anon, authenticated;
grant execute on function public._coach_iso(timestamp) to service_role;
revoke execute on function public._coach_refusal(int, text, text) from public, anon, authenticated;
grant execute on function public._coach_refusal(int, text, text) to service_role;
revoke execute on function public._coach_goal_refusal(uuid, uuid) from public, anon, authenticated;
grant execute on function public._coach_goal_refusal(uuid, uuid) to service_role;
revoke execute on function public._coach_thread_refusal(uuid, text) from public, anon, authenticated;
grant execute on function public._coach_thread_refusal(uuid, text) to service_role;
revoke execute on function public._coach_context(uuid, uuid, int) from public, anon, authenticated;
grant execute on function public._coach_context(uuid, uuid, int) to service_role;
revoke execute on function public._coach_thread_json(public.user_assistant_threads) from public, anon, authenticated;
grant execute on function public._coach_thread_json(public.user_assistant_threads) to service_role;
revoke execute on function public._coach_reply(uuid) from public, anon, authenticated;
grant execute on function public._coach_reply(uuid) to service_role;
revoke execute on function public._coach_run_state(uuid) from public, anon, authenticated;
grant execute on function public._coach_run_state(uuid) to service_role;
revoke execute on function public._coach_upsert_thread(uuid, text, text, text, int, numeric, boolean) from public, anon, authenticated;
grant execute on function public._coach_upsert_thread(uuid, text, text, text, int, numeric, boolean) to service_role;
revoke execute on function public._coach_ensure_user_row(public.chat_runs, text) from public, anon, authenticated;
grant execute on function public._coach_ensure_user_row(public.chat_runs, text) to service_role;
revoke execute on function public._coach_store_answer(public.chat_runs, jsonb) from public, anon, authenticated;
grant execute on function public._coach_store_answer(public.chat_runs, jsonb) to service_role;
revoke execute on function public.coach_prepare_turn(jsonb) from public, anon, authenticated;
grant execute on function public.coach_prepare_turn(jsonb) to service_role;
revoke execute on function public.coach_record_exchange(jsonb) from public, anon, authenticated;
grant execute on function public.coach_record_exchange(jsonb) to service_role;
revoke execute on function public.coach_release_turn(jsonb) from public, anon, authenticated;
grant execute on function public.coach_release_turn(jsonb) to service_role;
revoke execute on function public._coach_pending_deadline() from public, anon, authenticated;
grant execute on function public._coach_pending_deadline() to service_role;
revoke execute on function public.coach_begin_pending_run(jsonb) from public, anon, authenticated;
grant execute on function public.coach_begin_pending_run(jsonb) to service_role;
revoke execute on function public.coach_get_pending_run(jsonb) from public, anon, authenticated;
grant execute on function public.coach_get_pending_run(jsonb) to service_role;
revoke execute on function public.coach_fail_run(jsonb) from public, anon, authenticated;
grant execute on function public.coach_fail_run(jsonb) to service_role;
revoke execute on function public.coach_get_run(jsonb) from public, anon, authenticated;
grant execute on function public.coach_get_run(jsonb) to service_role;
revoke execute on function public.coach_get_thread(jsonb) from public, anon, authenticated;
grant execute on function public.coach_get_thread(jsonb) to service_role;
revoke execute on function public.coach_save_thread_conversation(jsonb) from public, anon, authenticated;
grant execute on function public.coach_save_thread_conversation(jsonb) to service_role;
revoke execute on function public.coach_touch_thread(jsonb) from public, anon, authenticated;
grant execute on function public.coach_touch_thread(jsonb) to service_role;
revoke execute on function public.coach_list_threads(jsonb) from public, anon, authenticated;
grant execute on function public.coach_list_threads(jsonb) to service_role;
revoke execute on function public.coach_context_data(jsonb) from public, anon, authenticated;
grant execute on function public.coach_context_data(jsonb) to service_role;
revoke execute on function public.coach_record_feedback(jsonb) from public, anon, authenticated;
grant execute on function public.coach_record_feedback(jsonb) to service_role;
