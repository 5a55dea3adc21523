-- Takes the user's AI data here, once no turn of theirs is being answered: every OpenAI id
-- the rows name goes into the erasure's work list (conversations: thread ids, legacy ids and
-- the chats', runs' and usage logs' conversation ids, and the user's coach_conversations;
-- stored responses: the runs', chats' and usage logs' response ids; never an id the backend
-- knows to be another user's, which an app user may write into their own rows), then the rows
-- go, in one transaction:
--   deleted: journal_ai_chats (every row of the user), user_assistant_threads (their
--     conversations are being deleted; the app's next get_or_create starts a new thread),
--     chat_runs, coach_conversations, chat_feedback, user_ai_settings, user_context_cache;
--   anonymised, kept: openai_usage_logs (tokens, model and cost stay for cost accounting)
--     and safety_events (the yearly referral counts), with user, thread, message, run and
--     response ids set to null.
-- Returns false, changing nothing, while a turn claimed within p_claim_ttl_seconds is still
-- in flight (its reply could otherwise land after the rows were taken); true once collected.
-- Collecting again (a resumed erasure) adds what is new and sums the counts.
create or replace function public._coach_erasure_collect(p_erasure uuid, p_claim_ttl_seconds int) returns boolean
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_erasure public.ai_data_erasures%rowtype;
  v_user uuid;
  v_counts jsonb;
  n_chats int;
  n_threads int;
  n_runs int;
  n_feedback int;
  n_settings int;
  n_cache int;
  n_usage int;
  n_safety int;
begin
  select * into v_erasure from public.ai_data_erasures e where e.id = p_erasure for update;
  if not found then
    raise exception '_coach_erasure_collect: no erasure %', p_erasure;
  end if;
  if v_erasure.phase <> 'collecting' then
    return true;
  end if;
  v_user := v_erasure.user_id;
  if exists (
    select 1 from public.chat_runs r
    where r.user_id = v_user and r.status = 'in_flight'
      and r.claimed_at > now() - pg_catalog.make_interval(secs => p_claim_ttl_seconds)
  ) then
    return false;
  end if;

  insert into public.ai_data_erasure_items (erasure_id, kind, openai_id)
  select p_erasure, 'conversation', x.id
  from (
    select t.thread_id as id from public.user_assistant_threads t where t.user_id = v_user
    union select pg_catalog.unnest(t.legacy_thread_ids) from public.user_assistant_threads t where t.user_id = v_user
    union select c.openai_thread_id from public.journal_ai_chats c where c.user_id = v_user
    union select r.thread_id from public.chat_runs r where r.user_id = v_user
    union select u.thread_id from public.openai_usage_logs u where u.user_id = v_user
    union select c.conversation_id from public.coach_conversations c where c.user_id = v_user
  ) as x
  where x.id like 'conv\_%'
    and not exists (
      select 1 from public.coach_conversations o where o.conversation_id = x.id and o.user_id <> v_user)
  on conflict do nothing;

  insert into public.ai_data_erasure_items (erasure_id, kind, openai_id)
  select p_erasure, 'response', x.id
  from (
    select r.openai_response_id as id from public.chat_runs r where r.user_id = v_user
    union select c.openai_response_id from public.journal_ai_chats c where c.user_id = v_user
    union select u.openai_response_id from public.openai_usage_logs u where u.user_id = v_user
  ) as x
  where x.id like 'resp\_%'
    and not exists (
      select 1 from public.chat_runs o where o.openai_response_id = x.id and o.user_id <> v_user)
    and not exists (
      select 1 from public.openai_usage_logs o where o.openai_response_id = x.id and o.user_id <> v_user)
  on conflict do nothing;

  update public.openai_usage_logs u
  set user_id = null, thread_id = null, message_id = null, run_id = null, openai_response_id = null
  where u.user_id = v_user;
  get diagnostics n_usage = row_count;
  update public.safety_events s
  set user_id = null, run_id = null, message_id = null
  where s.user_id = v_user;
  get diagnostics n_safety = row_count;
  delete from public.chat_feedback f where f.user_id = v_user;
  get diagnostics n_feedback = row_count;
  delete from public.journal_ai_chats c where c.user_id = v_user;
  get diagnostics n_chats = row_count;
  delete from public.chat_runs r where r.user_id = v_user;
  get diagnostics n_runs = row_count;
  delete from public.coach_conversations c where c.user_id = v_user;
  delete from public.user_assistant_threads t where t.user_id = v_user;
  get diagnostics n_threads = row_count;
  delete from public.user_ai_settings s where s.user_id = v_user;
  get diagnostics n_settings = row_count;
  delete from public.user_context_cache x where x.user_id = v_user;
  get diagnostics n_cache = row_count;

  v_counts := pg_catalog.jsonb_build_object(
    'chats', n_chats, 'threads', n_threads, 'runs', n_runs, 'feedback', n_feedback,
    'settings', n_settings, 'context_cache', n_cache,
    'usage_anonymised', n_usage, 'safety_events_anonymised', n_safety);
  if v_erasure.local_counts is not null then
    select pg_catalog.jsonb_object_agg(k.key, k.value::int + coalesce((v_erasure.local_counts ->> k.key)::int, 0))
      into v_counts
    from pg_catalog.jsonb_each_text(v_counts) as k;
  end if;

  update public.ai_data_erasures e
  set phase = 'erasing', local_counts = v_counts, collected_at = now(), updated_at = now()
  where e.id = p_erasure;
  return true;
end
$$;
