-- One step of an erasure (lambdas/ai-data/erasure.ts): records what the previous batch did at
-- OpenAI and returns the next batch, in one round trip. Input:
--   erasure_id, claim_ttl_seconds, limit (how many tasks to return);
--   done: [{kind, id}] deleted at OpenAI, or not found there (the same thing);
--   listed: [{conversation_id, item_ids, after, complete}] items found by listing a
--     conversation's pages from its cursor; `complete` once the last page was read;
--   rechecked: [{conversation_id, item_ids}] items a final listing still found before the
--     conversation was to be deleted: they go back to the work list.
-- Output {erasure_id, status, phase, work}: `work` lists tasks in the order they are done:
-- stored responses first (deleting one also stops it, so it adds no items afterwards), then
-- listing conversations, then their items, then the conversations whose items are all gone.
-- With nothing left the erasure is completed and its work list emptied (the counts are kept).
-- A completed or failed erasure does nothing and returns an empty `work`.
create or replace function public.coach_erasure_step(p jsonb) returns jsonb
language plpgsql volatile security invoker set search_path = '' set timezone to 'UTC'
as $$
declare
  v_id uuid := (p ->> 'erasure_id')::uuid;
  v_limit int := greatest(1, coalesce((p ->> 'limit')::int, 100));
  v_erasure public.ai_data_erasures%rowtype;
  v_work jsonb;
begin
  select * into v_erasure from public.ai_data_erasures e where e.id = v_id for update;
  if not found then
    return null;
  end if;
  if v_erasure.status <> 'pending' then
    return pg_catalog.jsonb_build_object(
      'erasure_id', v_id, 'status', v_erasure.status, 'phase', v_erasure.phase, 'work', '[]'::jsonb);
  end if;
  if not public._coach_erasure_collect(v_id, coalesce((p ->> 'claim_ttl_seconds')::int, 60)) then
    update public.ai_data_erasures e set updated_at = now() where e.id = v_id;
    return pg_catalog.jsonb_build_object(
      'erasure_id', v_id, 'status', 'pending', 'phase', 'collecting', 'work', '[]'::jsonb);
  end if;

  update public.ai_data_erasure_items w
  set done_at = now()
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'done', '[]'::jsonb)) as d (kind text, id text)
  where w.erasure_id = v_id and w.kind = d.kind and w.openai_id = d.id and w.done_at is null;

  insert into public.ai_data_erasure_items (erasure_id, kind, openai_id, conversation_id)
  select v_id, 'item', i.item_id, l.conversation_id
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'listed', '[]'::jsonb)) as l (conversation_id text, item_ids jsonb)
  cross join lateral pg_catalog.jsonb_array_elements_text(l.item_ids) as i (item_id)
  on conflict do nothing;
  update public.ai_data_erasure_items w
  set list_after = l.after, listed = l.complete
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'listed', '[]'::jsonb))
    as l (conversation_id text, after text, complete boolean)
  where w.erasure_id = v_id and w.kind = 'conversation' and w.openai_id = l.conversation_id;

  insert into public.ai_data_erasure_items (erasure_id, kind, openai_id, conversation_id)
  select v_id, 'item', i.item_id, r.conversation_id
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'rechecked', '[]'::jsonb)) as r (conversation_id text, item_ids jsonb)
  cross join lateral pg_catalog.jsonb_array_elements_text(r.item_ids) as i (item_id)
  on conflict (erasure_id, kind, openai_id) do update set done_at = null;
  update public.ai_data_erasure_items w
  set rechecks = w.rechecks + 1
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'rechecked', '[]'::jsonb)) as r (conversation_id text)
  where w.erasure_id = v_id and w.kind = 'conversation' and w.openai_id = r.conversation_id;

  select pg_catalog.jsonb_agg(t.task order by t.ord, t.openai_id) into v_work
  from (
    select x.ord, x.openai_id, x.task
    from (
      select 1 as ord, w.openai_id, pg_catalog.jsonb_build_object('kind', 'response', 'id', w.openai_id) as task
      from public.ai_data_erasure_items w
      where w.erasure_id = v_id and w.kind = 'response' and w.done_at is null
      union all
      select 2, w.openai_id, pg_catalog.jsonb_build_object('kind', 'list', 'conversation_id', w.openai_id, 'after', w.list_after)
      from public.ai_data_erasure_items w
      where w.erasure_id = v_id and w.kind = 'conversation' and w.done_at is null and not w.listed
      union all
      select 3, w.openai_id, pg_catalog.jsonb_build_object('kind', 'item', 'id', w.openai_id, 'conversation_id', w.conversation_id)
      from public.ai_data_erasure_items w
      where w.erasure_id = v_id and w.kind = 'item' and w.done_at is null
      union all
      select 4, w.openai_id, pg_catalog.jsonb_build_object('kind', 'conversation', 'id', w.openai_id, 'rechecks', w.rechecks)
      from public.ai_data_erasure_items w
      where w.erasure_id = v_id and w.kind = 'conversation' and w.done_at is null and w.listed
        and not exists (
          select 1 from public.ai_data_erasure_items i
          where i.erasure_id = v_id and i.kind = 'item' and i.conversation_id = w.openai_id and i.done_at is null)
    ) as x
    order by x.ord, x.openai_id
    limit v_limit
  ) as t;

  if v_work is null and not exists (
    select 1 from public.ai_data_erasure_items w where w.erasure_id = v_id and w.done_at is null
  ) then
    update public.ai_data_erasures e
    set status = 'completed', phase = 'done', completed_at = now(), updated_at = now(),
        openai_counts = (
          select pg_catalog.jsonb_build_object(
            'responses', count(*) filter (where w.kind = 'response'),
            'conversations', count(*) filter (where w.kind = 'conversation'),
            'items', count(*) filter (where w.kind = 'item'))
          from public.ai_data_erasure_items w where w.erasure_id = v_id)
    where e.id = v_id;
    delete from public.ai_data_erasure_items w where w.erasure_id = v_id;
    return pg_catalog.jsonb_build_object('erasure_id', v_id, 'status', 'completed', 'phase', 'done', 'work', '[]'::jsonb);
  end if;

  update public.ai_data_erasures e set updated_at = now() where e.id = v_id;
  return pg_catalog.jsonb_build_object(
    'erasure_id', v_id, 'status', 'pending', 'phase', 'erasing', 'work', coalesce(v_work, '[]'::jsonb));
end
$$;
