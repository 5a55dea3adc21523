-- The run as its owner sees it; null if unknown or someone else's.
create or replace function public.coach_get_run(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  return (
    select public._coach_run_state(r.id)
    from public.chat_runs r
    where r.id = (p ->> 'run_id')::uuid and r.user_id = (p ->> 'user_id')::uuid);
end
$$;
