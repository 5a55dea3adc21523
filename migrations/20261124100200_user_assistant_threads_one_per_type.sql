-- One thread per (user, assistant type). Existing data has duplicates (the app created a
-- thread per session), so they are merged first, losing nothing: the survivor is the row
-- with an OpenAI conversation (`conv_…`) if any, else the latest interaction; token totals
-- are summed; the other rows' thread ids go to the survivor's legacy_thread_ids; chats that
-- name a merged thread id are repointed to the survivor's. Then the unique index. With no
-- duplicates left, re-running this file changes nothing.

-- Keep the app from inserting a new duplicate between the merge and the unique index.
lock table public.user_assistant_threads in share row exclusive mode;

do $$
declare
  dup record;
  survivor public.user_assistant_threads%rowtype;
  loser_ids uuid[];
  loser_thread_ids text[];
begin
  for dup in
    select t.user_id, t.assistant_type,
           array_agg(t.id order by starts_with(t.thread_id, 'conv_') desc,
                                   t.last_interaction_at desc nulls last,
                                   t.created_at desc nulls last,
                                   t.id) as ids
    from public.user_assistant_threads t
    group by t.user_id, t.assistant_type
    having count(*) > 1
  loop
    select * into survivor from public.user_assistant_threads where id = dup.ids[1];
    loser_ids := dup.ids[2:];

    -- Every id a loser was known by (its thread id, then its legacy ids), in order.
    select coalesce(array_agg(x.tid order by x.first_seen), '{}')
      into loser_thread_ids
    from (
      select u.tid, min(array_position(loser_ids, l.id)::bigint * 100000 + u.ord) as first_seen
      from public.user_assistant_threads l
      cross join lateral unnest(array[l.thread_id] || l.legacy_thread_ids) with ordinality as u (tid, ord)
      where l.id = any (loser_ids)
        and u.tid <> survivor.thread_id
      group by u.tid
    ) as x;

    update public.user_assistant_threads s
    set total_tokens_used = coalesce(s.total_tokens_used, 0)
          + (select coalesce(sum(l.total_tokens_used), 0) from public.user_assistant_threads l where l.id = any (loser_ids)),
        last_cost_estimate = (
          select a.last_cost_estimate from public.user_assistant_threads a
          where a.id = any (dup.ids)
          order by a.last_interaction_at desc nulls last, a.id limit 1
        ),
        openai_assistant_id = coalesce(s.openai_assistant_id, (
          select l.openai_assistant_id from public.user_assistant_threads l
          where l.id = any (loser_ids) and l.openai_assistant_id is not null
          order by l.last_interaction_at desc nulls last limit 1
        )),
        legacy_thread_ids = s.legacy_thread_ids || array(
          select t from unnest(loser_thread_ids) with ordinality as n (t, ord)
          where not (t = any (s.legacy_thread_ids))
          order by n.ord
        ),
        created_at = (select min(a.created_at) from public.user_assistant_threads a where a.id = any (dup.ids)),
        last_interaction_at = (select max(a.last_interaction_at) from public.user_assistant_threads a where a.id = any (dup.ids)),
        updated_at = now()
    where s.id = survivor.id;

    update public.journal_ai_chats c
    set openai_thread_id = survivor.thread_id
    where c.user_id = dup.user_id
      and c.openai_thread_id = any (loser_thread_ids);

    delete from public.user_assistant_threads where id = any (loser_ids);
  end loop;
end
$$;

create unique index if not exists user_assistant_threads_user_id_assistant_type_key
  on public.user_assistant_threads (user_id, assistant_type);
-- Requests name a thread by its id, current or legacy.
create index if not exists user_assistant_threads_thread_id_idx on public.user_assistant_threads (thread_id);
create index if not exists user_assistant_threads_legacy_thread_ids_idx
  on public.user_assistant_threads using gin (legacy_thread_ids);
