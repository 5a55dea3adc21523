-- AiDataErasure: an erasure as its owner sees it. A pending erasure that has not moved for
-- longer than _coach_erasure_deadline() reads as failed (`stalled`): it is never reported
-- pending forever, nor done. While it runs, the OpenAI counts come from the work list
-- (conversation items are found while their conversation is listed); once completed, from
-- the counts kept when the work list was emptied.
create or replace function public._coach_erasure_json(e public.ai_data_erasures) returns jsonb
language sql stable security invoker set search_path = '' set timezone to 'UTC'
as $$
  select pg_catalog.jsonb_build_object(
    'erasure_id', e.id,
    'status', case
      when e.status = 'pending' and e.updated_at < now() - public._coach_erasure_deadline() then 'failed'
      else e.status end,
    'failure_code', case
      when e.status = 'pending' and e.updated_at < now() - public._coach_erasure_deadline() then 'stalled'
      when e.status = 'failed' then e.failure_code end,
    'requested_at', public._coach_iso(e.created_at),
    'updated_at', public._coach_iso(e.updated_at),
    'completed_at', public._coach_iso(e.completed_at),
    'local', e.local_counts,
    'openai', case
      when e.status = 'completed' then pg_catalog.jsonb_build_object(
        'deleted', coalesce(e.openai_counts, '{"responses": 0, "conversations": 0, "items": 0}'::jsonb),
        'remaining', '{"responses": 0, "conversations": 0, "items": 0}'::jsonb)
      else (
        select pg_catalog.jsonb_build_object(
          'deleted', pg_catalog.jsonb_build_object(
            'responses', count(*) filter (where w.kind = 'response' and w.done_at is not null),
            'conversations', count(*) filter (where w.kind = 'conversation' and w.done_at is not null),
            'items', count(*) filter (where w.kind = 'item' and w.done_at is not null)),
          'remaining', pg_catalog.jsonb_build_object(
            'responses', count(*) filter (where w.kind = 'response' and w.done_at is null),
            'conversations', count(*) filter (where w.kind = 'conversation' and w.done_at is null),
            'items', count(*) filter (where w.kind = 'item' and w.done_at is null)))
        from public.ai_data_erasure_items w
        where w.erasure_id = e.id)
      end)
$$;
