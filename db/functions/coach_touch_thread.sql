-- last_interaction_at = now() on the user's thread named by its current or a legacy id.
create or replace function public.coach_touch_thread(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
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
  set last_interaction_at = now(), updated_at = now()
  where t.id = v_id
  returning t.* into v_row;
  return public._coach_thread_json(v_row);
end
$$;
