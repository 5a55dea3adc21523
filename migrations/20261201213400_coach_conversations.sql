-- coach_conversations: the OpenAI conversation of each (user, coach), owned by the backend.
-- App users may update their own user_assistant_threads rows, thread_id included, so that
-- column cannot say which conversation the backend sends a user's messages to: this table
-- does, and the backend keeps user_assistant_threads.thread_id in step with it for the app.
-- A conversation id belongs to one user only. Only service_role writes; a signed-in user may
-- read their own rows.
create table if not exists public.coach_conversations (
  user_id uuid not null references auth.users (id) on delete cascade,
  assistant_type text not null,
  conversation_id text not null constraint coach_conversations_conversation_id_check
    check (starts_with(conversation_id, 'conv_')),
  created_at timestamptz not null default now(),
  constraint coach_conversations_pkey primary key (user_id, assistant_type),
  constraint coach_conversations_conversation_id_key unique (conversation_id)
);

alter table public.coach_conversations enable row level security;
revoke all on table public.coach_conversations from anon, authenticated;
grant select on table public.coach_conversations to authenticated;
drop policy if exists "Users can view their own conversations" on public.coach_conversations;
create policy "Users can view their own conversations" on public.coach_conversations
  for select to authenticated using ((select auth.uid()) = user_id);

-- The conversations the backend already used, from what only it writes (chat_runs): for each
-- (user, coach) the conversation of its latest run. A conversation that another user's run
-- used first is not taken (a thread pointed at someone else's conversation before this
-- table existed). Threads with no such run get a new conversation on their next message.
insert into public.coach_conversations (user_id, assistant_type, conversation_id, created_at)
select distinct on (u.user_id, u.assistant_type) u.user_id, u.assistant_type, u.thread_id, u.first_used
from (
  select r.user_id, r.assistant_type, r.thread_id, min(r.created_at) as first_used, max(r.created_at) as last_used
  from public.chat_runs r
  where starts_with(r.thread_id, 'conv_')
  group by r.user_id, r.assistant_type, r.thread_id
) as u
where not exists (
  select 1 from public.chat_runs o
  where o.thread_id = u.thread_id and o.user_id <> u.user_id and o.created_at <= u.first_used
)
order by u.user_id, u.assistant_type, u.last_used desc
on conflict do nothing;
