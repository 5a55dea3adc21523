-- GET ai-data/erasures/{erasure_id}: the erasure as its owner sees it; null if unknown or
-- someone else's.
create or replace function public.coach_get_erasure(p jsonb) returns jsonb
language plpgsql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
begin
  return (
    select public._coach_erasure_json(e)
    from public.ai_data_erasures e
    where e.id = (p ->> 'erasure_id')::uuid and e.user_id = (p ->> 'user_id')::uuid);
end
$$;
