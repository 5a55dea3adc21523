-- The "prepare" round trip (PrepareTurnInput → PreparedTurn, lambdas/chat/ports.ts): refusals,
-- the idempotency key, one turn at a time per thread, every limit, then the claim, which stores
-- the turn once: what it is, the user's row (before anything is sent to OpenAI), its cohort and
-- why its variant was chosen, the reservation of its worst case, and whether its reply carries
-- the AI disclosure (the thread's first reply, or the first one `interval_seconds` after the
-- thread's last disclosure, by the chat's clock `at`). A user's prepares run one
-- at a time (a transaction-level advisory lock on the user id), so each sees every turn of the
-- user still in flight, and the limits hold however many messages arrive together. Refused or
-- busy turns write nothing; nor does a turn while the user's AI data is being erased (409).
create or replace function public.coach_prepare_turn(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_user uuid := (p ->> 'user_id')::uuid;
  v_type text := p ->> 'assistant_type';
  v_goal uuid := (p ->> 'goal_id')::uuid;
  v_key text := p ->> 'client_message_id';
  v_limits jsonb := p -> 'limits';
  v_refusal jsonb;
  v_run public.chat_runs%rowtype;
  v_busy public.chat_runs%rowtype;
  v_thread public.user_assistant_threads%rowtype;
  v_reclaim boolean := false;
  v_uncertain boolean := false;
  v_settings jsonb := public._coach_settings(v_user);
  v_rollout jsonb;
  v_usage jsonb;
  v_openai boolean;
  v_reason text;
  v_global_exceeded boolean := false;
  v_conversation text;
  v_history int;
  v_reserve jsonb := '{"tokens": 0, "cost_usd": 0}';
  v_context jsonb;
  v_reply jsonb;
  v_user_row uuid;
  v_disclosure jsonb := p -> 'disclosure';
  v_disclose_at timestamptz;
  v_last_disclosed timestamptz;
begin
  v_refusal := coalesce(
    public._coach_goal_refusal(v_user, v_goal),
    public._coach_thread_refusal(v_user, p ->> 'thread_id'),
    -- Last: it holds the user's erasure lock (shared) until this claim commits.
    public._coach_erasure_refusal(v_user));
  if v_refusal is not null then
    return v_refusal;
  end if;

  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('coach_turn:' || v_user::text, 0));

  select * into v_run from public.chat_runs r
  where r.user_id = v_user and r.client_message_id = v_key
  for update;
  if found then
    if v_run.status = 'completed' or v_run.answered_at is not null then
      v_reply := public._coach_reply(v_run.id);
      if v_reply is null then
        return public._coach_answer_deleted();
      end if;
      return pg_catalog.jsonb_build_object('kind', 'replay', 'reply', v_reply);
    elsif public._coach_run_is_live(v_run) then
      return pg_catalog.jsonb_build_object('kind', 'in_flight', 'run_id', v_run.id, 'status', v_run.status);
    end if;
    -- An abandoned claim, or a run that ended without any answer: answer it now. Only an
    -- abandoned in-flight claim may have had its create accepted, unseen.
    v_reclaim := true;
    v_uncertain := v_run.status = 'in_flight';
  end if;

  select * into v_busy from public.chat_runs r
  where r.user_id = v_user and r.assistant_type = v_type and r.status in ('in_flight', 'pending')
    and r.id is distinct from v_run.id and public._coach_run_is_live(r)
  order by r.claimed_at desc
  limit 1;
  if found then
    return pg_catalog.jsonb_build_object(
      'kind', 'thread_busy', 'run_id', v_busy.id,
      'retry_after_seconds', case when v_busy.status = 'pending' then 5 else 3 end);
  end if;

  v_usage := public._coach_turn_usage(v_user, v_run.id);
  -- A claim answered again is the same message: it was counted when it was first claimed.
  if not v_reclaim and (v_usage ->> 'messages_last_minute')::int >= (v_limits ->> 'per_minute')::int then
    return pg_catalog.jsonb_build_object('kind', 'limited', 'limit', 'per_minute',
      'retry_after_seconds', coalesce((v_usage ->> 'minute_retry_seconds')::int, 60));
  end if;
  if not v_reclaim and (v_usage ->> 'messages_today')::int >= (v_limits ->> 'daily_messages')::int then
    return pg_catalog.jsonb_build_object('kind', 'limited', 'limit', 'daily_messages',
      'retry_after_seconds', (v_usage ->> 'day_retry_seconds')::int);
  end if;

  -- The variant: the chat decided it for each value the user's own setting may have.
  v_rollout := p -> 'rollout' -> case (v_settings ->> 'openai_enabled')::boolean
    when true then 'enabled' when false then 'disabled' else 'unset' end;
  v_openai := coalesce(v_rollout ->> 'variant' = 'openai', false);
  v_reason := v_rollout ->> 'reason';
  if v_openai and (v_usage ->> 'global_cost_usd')::numeric >= (v_limits ->> 'global_daily_cost_usd')::numeric then
    v_openai := false;
    v_reason := 'global_budget';
    v_global_exceeded := true;
  end if;

  select c.conversation_id into v_conversation from public.coach_conversations c
  where c.user_id = v_user and c.assistant_type = v_type;
  if v_openai then
    if (v_usage ->> 'tokens')::bigint + (v_usage ->> 'reserved_tokens')::bigint
       >= coalesce((v_settings ->> 'daily_token_limit')::bigint, (v_limits ->> 'daily_tokens')::bigint) then
      return pg_catalog.jsonb_build_object('kind', 'limited', 'limit', 'daily_tokens',
        'retry_after_seconds', (v_usage ->> 'day_retry_seconds')::int);
    end if;
    if (v_usage ->> 'cost_usd')::numeric + (v_usage ->> 'reserved_cost_usd')::numeric
       >= coalesce((v_settings ->> 'daily_cost_limit_usd')::numeric, (v_limits ->> 'daily_cost_usd')::numeric) then
      return pg_catalog.jsonb_build_object('kind', 'limited', 'limit', 'daily_cost',
        'retry_after_seconds', (v_usage ->> 'day_retry_seconds')::int);
    end if;
    select u.prompt_tokens + u.completion_tokens into v_history
    from public.openai_usage_logs u
    where u.user_id = v_user and u.thread_id = v_conversation
    order by u.created_at desc
    limit 1;
    v_reserve := public._coach_worst_case(p -> 'reserve', v_history);
  end if;

  select * into v_thread from public.user_assistant_threads t where t.user_id = v_user and t.assistant_type = v_type;
  -- Before the user's row is stored: the message is not a theme of its own context.
  v_context := public._coach_context(v_user, v_goal, (p ->> 'recent_limit')::int);

  if pg_catalog.jsonb_typeof(v_disclosure) = 'object' then
    select max(r.disclosed_at) into v_last_disclosed from public.chat_runs r
    where r.user_id = v_user and r.assistant_type = v_type and r.disclosed_at is not null
      and r.answered_at is not null and r.id is distinct from v_run.id
      and r.thread_id = coalesce(v_conversation, v_thread.thread_id);
    v_disclose_at := (v_disclosure ->> 'at')::timestamptz;
    if v_last_disclosed is not null
       and v_last_disclosed > v_disclose_at - pg_catalog.make_interval(secs => (v_disclosure ->> 'interval_seconds')::float8) then
      v_disclosure := null;
    end if;
  else
    v_disclosure := null;
  end if;

  if v_reclaim then
    update public.chat_runs r
    set status = 'in_flight', attempts = r.attempts + 1, claimed_at = now(), updated_at = now(),
        assistant_type = v_type, profile_ref = p ->> 'profile_ref', chat_type = p ->> 'chat_type', goal_id = v_goal,
        journal_entry_id = (p ->> 'journal_entry_id')::uuid,
        thread_id = coalesce(v_conversation, v_thread.thread_id, r.thread_id),
        cohort = v_rollout ->> 'cohort', rollout_reason = v_reason,
        reserved_tokens = (v_reserve ->> 'tokens')::int, reserved_cost_usd = (v_reserve ->> 'cost_usd')::numeric,
        reservation_open = v_openai, failure_code = null, openai_response_id = null, completed_at = null,
        disclosure = v_disclosure ->> 'text', disclosed_at = case when v_disclosure is null then null else v_disclose_at end,
        disclosure_in_response = coalesce((v_disclosure ->> 'in_response')::boolean, false), locale = p ->> 'locale'
    where r.id = v_run.id
    returning r.* into v_run;
  else
    insert into public.chat_runs as r
      (user_id, client_message_id, status, assistant_type, profile_ref, chat_type, goal_id, journal_entry_id,
       thread_id, cohort, rollout_reason, reserved_tokens, reserved_cost_usd, reservation_open,
       disclosure, disclosed_at, disclosure_in_response, locale)
    values
      (v_user, v_key, 'in_flight', v_type, p ->> 'profile_ref', p ->> 'chat_type', v_goal,
       (p ->> 'journal_entry_id')::uuid, coalesce(v_conversation, v_thread.thread_id), v_rollout ->> 'cohort', v_reason,
       (v_reserve ->> 'tokens')::int, (v_reserve ->> 'cost_usd')::numeric, v_openai,
       v_disclosure ->> 'text', case when v_disclosure is null then null else v_disclose_at end,
       coalesce((v_disclosure ->> 'in_response')::boolean, false), p ->> 'locale')
    returning r.* into v_run;
  end if;
  v_user_row := public._coach_ensure_user_row(v_run, p ->> 'message');
  update public.chat_runs r set user_message_id = v_user_row
  where r.id = v_run.id and r.user_message_id is distinct from v_user_row;

  return pg_catalog.jsonb_build_object(
    'kind', 'claimed',
    'run_id', v_run.id,
    'user_message_id', v_user_row,
    'variant', case when v_openai then 'openai' else 'simulated' end,
    'rollout_reason', v_reason,
    'global_budget_exceeded', v_global_exceeded,
    'recover_first', v_uncertain and v_conversation is not null,
    'conversation_id', v_conversation,
    'thread', case when v_thread.id is null then null else pg_catalog.jsonb_build_object(
      'id', v_thread.id, 'thread_id', v_thread.thread_id, 'openai_assistant_id', v_thread.openai_assistant_id) end,
    'context', v_context,
    'settings', v_settings,
    'usage_today', pg_catalog.jsonb_build_object(
      'tokens', (v_usage ->> 'tokens')::bigint,
      'cost_usd', (v_usage ->> 'cost_usd')::float8,
      'messages', (v_usage ->> 'messages_today')::int),
    'reservation', v_reserve,
    'disclosure', v_disclosure ->> 'text');
end
$$;
