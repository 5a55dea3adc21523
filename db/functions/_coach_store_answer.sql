-- The run's AI row (message and response both carry the answer, as the app's rows do, with
-- the run's cohort beside the variant; the run's AI disclosure first when its claim chose to
-- prefix it), the usage log for an answer OpenAI wrote (its real cost: what settles the run's
-- reservation; a coach reply the screening replaced is paid for too), and the thread's
-- counters. Returns the AI row id.
create or replace function public._coach_store_answer(p_run public.chat_runs, p_answer jsonb) returns uuid
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_usage jsonb := coalesce(p_answer -> 'usage', '{}'::jsonb);
  v_total int := coalesce((v_usage ->> 'total_tokens')::int, 0);
  v_cost numeric := coalesce((p_answer ->> 'cost_estimate')::numeric, 0);
  v_ai uuid;
  v_text text := case when p_run.disclosure is not null and p_run.disclosure_in_response
    then p_run.disclosure || ' ' || (p_answer ->> 'response') else p_answer ->> 'response' end;
begin
  insert into public.journal_ai_chats
    (user_id, journal_entry_id, message, response, message_type, chat_type, goal_id, created_at,
     openai_thread_id, tokens_used, model_used, response_time_ms, variant, fallback,
     openai_response_id, cost_estimate, run_id, client_message_id, cohort, rollout_reason)
  values
    (p_run.user_id, p_run.journal_entry_id, v_text, v_text, 'ai',
     p_run.chat_type, p_run.goal_id, now(),
     p_run.thread_id, v_total, p_answer ->> 'model_used', (p_answer ->> 'response_time_ms')::int,
     p_answer ->> 'variant', coalesce((p_answer ->> 'fallback')::boolean, false),
     p_answer ->> 'openai_response_id', v_cost, p_run.id, p_run.client_message_id, p_run.cohort,
     p_run.rollout_reason)
  returning id into v_ai;

  if p_answer ->> 'variant' = 'openai' or p_answer ->> 'openai_response_id' is not null then
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
