-- safety_events: one row per screening decision worth recording (a crisis reply instead of
-- the coach, a coach reply replaced, screening that failed open), for the published safety
-- protocol and the yearly referral counts (docs/safety.md). Never the message text: the
-- category that decided, the moderation scores, and the action taken.
-- The user id is kept while the user has AI data here. An erasure of the user's AI data
-- sets it to null instead of deleting the row (as deleting the auth user does), so the
-- yearly counts stay right and name nobody.
create table if not exists public.safety_events (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id) on delete set null,
  run_id uuid references public.chat_runs (id) on delete set null,
  message_id uuid references public.journal_ai_chats (id) on delete set null,
  source text not null constraint safety_events_source_check check (source in ('user_message', 'coach_reply')),
  category text not null,
  scores jsonb not null default '{}'
    constraint safety_events_scores_check check (pg_catalog.jsonb_typeof(scores) = 'object'),
  action text not null,
  chat_type text,
  locale text,
  created_at timestamptz not null default now()
);

-- A user's events (export), the yearly counts by time, and the foreign keys.
create index if not exists safety_events_user_id_created_at_idx on public.safety_events (user_id, created_at);
create index if not exists safety_events_created_at_idx on public.safety_events (created_at);
create index if not exists safety_events_run_id_idx on public.safety_events (run_id);
create index if not exists safety_events_message_id_idx on public.safety_events (message_id);

-- Only the backend (service_role) writes them; a signed-in user may read their own.
alter table public.safety_events enable row level security;
revoke all on table public.safety_events from anon, authenticated;
grant select on table public.safety_events to authenticated;
drop policy if exists "Users can view their own safety events" on public.safety_events;
create policy "Users can view their own safety events" on public.safety_events
  for select to authenticated using ((select auth.uid()) = user_id);
