-- One thread per (user, assistant type): set its id and profile, add tokens, keep the cost
-- of the last answer, and (p_touch) mark the interaction. A replaced id is kept in
-- legacy_thread_ids, local ids and conversations alike, so every id the app was given still
-- resolves; except another user's conversation (coach_conversations), which an app user may
-- have written into their own row and which must never become theirs.
create or replace function public._coach_upsert_thread(
  p_user uuid, p_type text, p_thread text, p_profile_ref text, p_tokens int, p_cost numeric, p_touch boolean
) returns public.user_assistant_threads
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_now timestamptz := now();
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
             and not (t.legacy_thread_ids @> array[t.thread_id])
             and not exists (
               select 1 from public.coach_conversations c
               where c.conversation_id = t.thread_id and c.user_id <> t.user_id)
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
