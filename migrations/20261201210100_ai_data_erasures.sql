-- ai_data_erasures: a user's request to erase their AI data, here and at OpenAI, and how far
-- it got (docs/safety.md). ai_data_erasure_items is its work list: the OpenAI ids (stored
-- responses, conversations, conversation items) that remain to be deleted, so an erasure
-- that stops anywhere resumes where it was. The work list holds OpenAI ids only, never any
-- text, and is emptied when the erasure completes; the erasure row keeps the counts.
create table if not exists public.ai_data_erasures (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  status text not null default 'pending'
    constraint ai_data_erasures_status_check check (status in ('pending', 'completed', 'failed')),
  -- collecting: the rows here are not yet taken (a turn was still being answered);
  -- erasing: the rows here are gone and the work list is built; done: nothing remains.
  phase text not null default 'collecting'
    constraint ai_data_erasures_phase_check check (phase in ('collecting', 'erasing', 'done')),
  attempts integer not null default 1,
  failure_code text,
  -- Rows deleted or anonymised here, by table; filled when the rows are taken.
  local_counts jsonb,
  -- What was deleted at OpenAI, by kind; filled on completion, when the work list is emptied.
  openai_counts jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  collected_at timestamptz,
  completed_at timestamptz
);

-- At most one running erasure per user; a user's erasures by time (also the foreign key).
create unique index if not exists ai_data_erasures_one_pending_per_user_key
  on public.ai_data_erasures (user_id) where status = 'pending';
create index if not exists ai_data_erasures_user_id_created_at_idx on public.ai_data_erasures (user_id, created_at);

create table if not exists public.ai_data_erasure_items (
  erasure_id uuid not null references public.ai_data_erasures (id) on delete cascade,
  kind text not null constraint ai_data_erasure_items_kind_check check (kind in ('response', 'conversation', 'item')),
  openai_id text not null,
  -- item: the conversation it belongs to.
  conversation_id text,
  -- conversation: every page of its items is in the work list, and the listing's cursor.
  listed boolean not null default false,
  list_after text,
  -- conversation: final listings (before deleting it) that still found items.
  rechecks integer not null default 0,
  done_at timestamptz,
  constraint ai_data_erasure_items_pkey primary key (erasure_id, kind, openai_id)
);

-- The erasure's remaining work, in the order it is done.
create index if not exists ai_data_erasure_items_remaining_idx
  on public.ai_data_erasure_items (erasure_id, kind) where done_at is null;

-- A user may read their own erasures (their status); the work list is the backend's only.
alter table public.ai_data_erasures enable row level security;
revoke all on table public.ai_data_erasures from anon, authenticated;
grant select on table public.ai_data_erasures to authenticated;
drop policy if exists "Users can view their own erasures" on public.ai_data_erasures;
create policy "Users can view their own erasures" on public.ai_data_erasures
  for select to authenticated using ((select auth.uid()) = user_id);

alter table public.ai_data_erasure_items enable row level security;
revoke all on table public.ai_data_erasure_items from anon, authenticated;
