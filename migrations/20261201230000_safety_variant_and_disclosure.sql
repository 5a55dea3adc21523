-- The crisis path and the AI disclosure (docs/safety.md).
-- A reply the screening decided (a crisis reply instead of the coach, or a coach reply
-- replaced) is stored with variant 'safety'.
alter table public.journal_ai_chats drop constraint if exists journal_ai_chats_variant_check;
alter table public.journal_ai_chats
  add constraint journal_ai_chats_variant_check check (variant in ('openai', 'simulated', 'safety'));

-- The AI disclosure a turn carries, decided by its claim: the text (null: none), whether it is
-- also prefixed to the reply's text, and when it was decided (the chat's clock). A thread's last
-- disclosure is the latest disclosed_at of its answered runs, so the backend keeps it in its
-- own table and the claim reads it in the same round trip. The locale the turn's crisis
-- resources are chosen by, kept for a reply the poller records.
alter table public.chat_runs
  add column if not exists disclosure text,
  add column if not exists disclosure_in_response boolean not null default false,
  add column if not exists disclosed_at timestamptz,
  add column if not exists locale text;

-- A thread's latest disclosure, per user and coach.
create index if not exists chat_runs_disclosed_idx
  on public.chat_runs (user_id, assistant_type, disclosed_at desc) where disclosed_at is not null;
