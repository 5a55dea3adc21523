-- chat_runs: one row per chat turn. It is the idempotency claim on (user_id,
-- client_message_id), so a retried request never reaches OpenAI twice, and the state of a
-- long run handed to the Step Functions poller. It and journal_ai_chats reference each
-- other: the run names its user and AI rows, each chat row names its run (one user row and
-- one AI row per run).
create table if not exists public.chat_runs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  client_message_id text not null,
  status text not null default 'in_flight'
    constraint chat_runs_status_check
    check (status in ('in_flight', 'pending', 'completed', 'failed', 'cancelled', 'incomplete', 'timed_out')),
  assistant_type text not null,
  profile_ref text,
  chat_type text,
  goal_id uuid,
  journal_entry_id uuid,
  thread_id text,
  openai_response_id text,
  user_message_id uuid references public.journal_ai_chats (id) on delete set null,
  ai_message_id uuid references public.journal_ai_chats (id) on delete set null,
  failure_code text,
  attempts integer not null default 1,
  claimed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  constraint chat_runs_user_id_client_message_id_key unique (user_id, client_message_id)
);

alter table public.journal_ai_chats
  add column if not exists run_id uuid references public.chat_runs (id) on delete set null;

-- One user row and one AI row per run; also the index behind the run_id foreign key.
create unique index if not exists journal_ai_chats_run_id_message_type_key
  on public.journal_ai_chats (run_id, message_type) where run_id is not null;

-- Foreign keys (user_id is covered by the unique constraint above) and the poller's lookups.
create index if not exists chat_runs_user_message_id_idx on public.chat_runs (user_message_id);
create index if not exists chat_runs_ai_message_id_idx on public.chat_runs (ai_message_id);
create index if not exists chat_runs_status_updated_at_idx on public.chat_runs (status, updated_at);
create index if not exists chat_runs_openai_response_id_idx on public.chat_runs (openai_response_id);

-- Only the backend (service_role, which bypasses RLS) writes runs; a signed-in user may
-- read their own, nobody else anything.
alter table public.chat_runs enable row level security;
revoke all on table public.chat_runs from anon, authenticated;
grant select on table public.chat_runs to authenticated;
drop policy if exists "Users can view their own chat runs" on public.chat_runs;
create policy "Users can view their own chat runs" on public.chat_runs
  for select to authenticated using ((select auth.uid()) = user_id);
