-- chat_feedback: a user's thumbs up or down (and an optional comment) on a coach reply, the
-- PRD's "quality metrics". One rating per user and message; a second one replaces it.
create table if not exists public.chat_feedback (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  message_id uuid not null references public.journal_ai_chats (id) on delete cascade,
  rating text not null constraint chat_feedback_rating_check check (rating in ('up', 'down')),
  comment text constraint chat_feedback_comment_check check (char_length(comment) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint chat_feedback_user_id_message_id_key unique (user_id, message_id)
);

-- The message_id foreign key (user_id is covered by the unique constraint).
create index if not exists chat_feedback_message_id_idx on public.chat_feedback (message_id);

alter table public.chat_feedback enable row level security;
revoke all on table public.chat_feedback from anon, authenticated;
grant select on table public.chat_feedback to authenticated;
drop policy if exists "Users can view their own feedback" on public.chat_feedback;
create policy "Users can view their own feedback" on public.chat_feedback
  for select to authenticated using ((select auth.uid()) = user_id);
