-- The user's thread for one assistant type, or null.
create or replace function public.coach_get_thread(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  return (
    select public._coach_thread_json(t)
    from public.user_assistant_threads t
    where t.user_id = (p ->> 'user_id')::uuid and t.assistant_type = p ->> 'assistant_type');
end
$$;
