-- openai_usage_logs.message_id: deleting a chat row no longer deletes its usage log. App users
-- may delete their own rows in journal_ai_chats; with `on delete cascade` that also deleted the
-- usage the daily budgets are counted from, so a user could reset their own budget. The log
-- (and its cost) stays; only its link to the deleted row is cleared.
alter table public.openai_usage_logs drop constraint if exists openai_usage_logs_message_id_fkey;
alter table public.openai_usage_logs
  add constraint openai_usage_logs_message_id_fkey
  foreign key (message_id) references public.journal_ai_chats (id) on delete set null;
