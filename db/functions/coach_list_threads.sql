-- thread-manager get_threads: the user's threads, latest interaction first.
create or replace function public.coach_list_threads(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  return coalesce((
    select pg_catalog.jsonb_agg(public._coach_thread_json(t)
                                order by t.last_interaction_at desc nulls last, t.created_at desc nulls last, t.id)
    from public.user_assistant_threads t
    where t.user_id = (p ->> 'user_id')::uuid), '[]'::jsonb);
end
$$;
