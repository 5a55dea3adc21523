-- Marks a pending erasure failed ({erasure_id, failure_code}): its steps kept failing, or its
-- execution could not be started. The work list stays, so a new delete request resumes it.
-- A completed erasure is returned unchanged; null if unknown.
create or replace function public.coach_fail_erasure(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_erasure public.ai_data_erasures%rowtype;
begin
  update public.ai_data_erasures e
  set status = 'failed', failure_code = coalesce(p ->> 'failure_code', 'failed'), updated_at = now()
  where e.id = (p ->> 'erasure_id')::uuid and e.status = 'pending';
  select * into v_erasure from public.ai_data_erasures e where e.id = (p ->> 'erasure_id')::uuid;
  if not found then
    return null;
  end if;
  return public._coach_erasure_json(v_erasure);
end
$$;
