-- journal_ai_chats: the backend's replies by time, for the reports (coach_report_variants and
-- coach_report_cohorts read the replies of a range of days). The only index by time is per
-- user (user_id, created_at), so a week's report on a year of chats would read the whole
-- table; this one holds just the AI rows the backend wrote (with a variant), a fraction of
-- the table, so a report reads the days it covers. The other tables the reports read are
-- already indexed by created_at (openai_usage_logs, safety_events) and by the keys the
-- report joins on (chat_runs.ai_message_id, chat_feedback's (user_id, message_id),
-- safety_events.run_id).
create index if not exists journal_ai_chats_replies_created_at_idx
  on public.journal_ai_chats (created_at) where message_type = 'ai' and variant is not null;
