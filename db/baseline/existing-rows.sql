-- Realistic pre-existing rows, as the app has written them before the coach backend:
-- four users (alice, bob, carol, and dave who has only signed up), pillar ratings over
-- several check-ins, active and inactive goals, chats saved by the app as user/ai pairs
-- with the simulated coach's canned replies, and threads with locally generated ids,
-- including a duplicate (carol, general_coach) pair. Ids are exported by db/fixtures.ts.
insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data, created_at, updated_at) values
  ('a11ce000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'alice@example.com', '2026-09-01 10:00:00+00', '{"display_name": "Alice"}', '2026-09-01 10:00:00+00', '2026-09-01 10:00:00+00'),
  ('b0b00000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'bob@example.com', '2026-09-03 18:20:00+00', '{"display_name": "Bob"}', '2026-09-03 18:20:00+00', '2026-09-03 18:20:00+00'),
  ('ca201000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'carol@example.com', '2026-09-10 07:45:00+00', '{"display_name": "Carol"}', '2026-09-10 07:45:00+00', '2026-09-10 07:45:00+00'),
  ('da7e0000-0000-4000-8000-000000000004', 'authenticated', 'authenticated', 'dave@example.com', '2026-11-22 12:00:00+00', '{"display_name": "Dave"}', '2026-11-22 12:00:00+00', '2026-11-22 12:00:00+00')
on conflict do nothing;

insert into public.profiles (id, display_name, timezone, created_at, updated_at) values
  ('a11ce000-0000-4000-8000-000000000001', 'Alice', 'Europe/Madrid', '2026-09-01 10:00:00+00', '2026-10-02 08:00:00+00'),
  ('b0b00000-0000-4000-8000-000000000002', 'Bob', 'America/New_York', '2026-09-03 18:20:00+00', '2026-09-03 18:20:00+00'),
  ('ca201000-0000-4000-8000-000000000003', 'Carol', 'Europe/London', '2026-09-10 07:45:00+00', '2026-09-10 07:45:00+00'),
  ('da7e0000-0000-4000-8000-000000000004', 'Dave', null, '2026-11-22 12:00:00+00', '2026-11-22 12:00:00+00')
on conflict do nothing;

insert into public.pillar_ratings (id, user_id, pillar, rating, note, created_at) values
  -- alice: three check-ins
  ('50000000-0000-4000-8000-000000000001', 'a11ce000-0000-4000-8000-000000000001', 'health', 55, 'Sleeping badly', '2026-10-01 09:00:00'),
  ('50000000-0000-4000-8000-000000000002', 'a11ce000-0000-4000-8000-000000000001', 'emotion', 60, null, '2026-10-01 09:00:00'),
  ('50000000-0000-4000-8000-000000000003', 'a11ce000-0000-4000-8000-000000000001', 'purpose', 50, null, '2026-10-01 09:00:00'),
  ('50000000-0000-4000-8000-000000000004', 'a11ce000-0000-4000-8000-000000000001', 'connection', 75, null, '2026-10-01 09:00:00'),
  ('50000000-0000-4000-8000-000000000005', 'a11ce000-0000-4000-8000-000000000001', 'health', 58, null, '2026-10-15 08:30:00'),
  ('50000000-0000-4000-8000-000000000006', 'a11ce000-0000-4000-8000-000000000001', 'emotion', 64, 'Better week', '2026-10-15 08:30:00'),
  ('50000000-0000-4000-8000-000000000007', 'a11ce000-0000-4000-8000-000000000001', 'purpose', 52, null, '2026-10-15 08:30:00'),
  ('50000000-0000-4000-8000-000000000008', 'a11ce000-0000-4000-8000-000000000001', 'connection', 78, null, '2026-10-15 08:30:00'),
  ('50000000-0000-4000-8000-000000000009', 'a11ce000-0000-4000-8000-000000000001', 'health', 62, 'Walking most evenings', '2026-11-01 09:15:00'),
  ('50000000-0000-4000-8000-000000000010', 'a11ce000-0000-4000-8000-000000000001', 'emotion', 71, null, '2026-11-01 09:15:00'),
  ('50000000-0000-4000-8000-000000000011', 'a11ce000-0000-4000-8000-000000000001', 'purpose', 55, null, '2026-11-01 09:15:00'),
  ('50000000-0000-4000-8000-000000000012', 'a11ce000-0000-4000-8000-000000000001', 'connection', 80, null, '2026-11-01 09:15:00'),
  -- bob: two check-ins
  ('50000000-0000-4000-8000-000000000013', 'b0b00000-0000-4000-8000-000000000002', 'health', 52, null, '2026-10-20 22:00:00'),
  ('50000000-0000-4000-8000-000000000014', 'b0b00000-0000-4000-8000-000000000002', 'emotion', 60, null, '2026-10-20 22:00:00'),
  ('50000000-0000-4000-8000-000000000015', 'b0b00000-0000-4000-8000-000000000002', 'purpose', 65, null, '2026-10-20 22:00:00'),
  ('50000000-0000-4000-8000-000000000016', 'b0b00000-0000-4000-8000-000000000002', 'connection', 50, 'Missing my family', '2026-10-20 22:00:00'),
  ('50000000-0000-4000-8000-000000000017', 'b0b00000-0000-4000-8000-000000000002', 'health', 48, 'Knee hurts', '2026-11-10 21:40:00'),
  ('50000000-0000-4000-8000-000000000018', 'b0b00000-0000-4000-8000-000000000002', 'emotion', 66, null, '2026-11-10 21:40:00'),
  ('50000000-0000-4000-8000-000000000019', 'b0b00000-0000-4000-8000-000000000002', 'purpose', 70, null, '2026-11-10 21:40:00'),
  ('50000000-0000-4000-8000-000000000020', 'b0b00000-0000-4000-8000-000000000002', 'connection', 58, null, '2026-11-10 21:40:00'),
  -- carol: two check-ins
  ('50000000-0000-4000-8000-000000000021', 'ca201000-0000-4000-8000-000000000003', 'health', 70, null, '2026-10-04 07:10:00'),
  ('50000000-0000-4000-8000-000000000022', 'ca201000-0000-4000-8000-000000000003', 'emotion', 48, null, '2026-10-04 07:10:00'),
  ('50000000-0000-4000-8000-000000000023', 'ca201000-0000-4000-8000-000000000003', 'purpose', 35, 'Feeling stuck', '2026-10-04 07:10:00'),
  ('50000000-0000-4000-8000-000000000024', 'ca201000-0000-4000-8000-000000000003', 'connection', 65, null, '2026-10-04 07:10:00'),
  ('50000000-0000-4000-8000-000000000025', 'ca201000-0000-4000-8000-000000000003', 'health', 74, null, '2026-11-12 07:05:00'),
  ('50000000-0000-4000-8000-000000000026', 'ca201000-0000-4000-8000-000000000003', 'emotion', 52, null, '2026-11-12 07:05:00'),
  ('50000000-0000-4000-8000-000000000027', 'ca201000-0000-4000-8000-000000000003', 'purpose', 45, 'Started volunteering', '2026-11-12 07:05:00'),
  ('50000000-0000-4000-8000-000000000028', 'ca201000-0000-4000-8000-000000000003', 'connection', 67, null, '2026-11-12 07:05:00')
on conflict do nothing;

insert into public.user_goals (id, user_id, pillar_id, title, focus, is_active, created_at) values
  ('20000000-0000-4000-8000-000000000001', 'a11ce000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'Walk 30 minutes every evening', 'Evening walks after dinner', true, '2026-09-02 20:00:00'),
  ('20000000-0000-4000-8000-000000000002', 'a11ce000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002', 'Journal three times a week', 'Gratitude notes', true, '2026-09-05 21:00:00'),
  ('20000000-0000-4000-8000-000000000003', 'a11ce000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000003', 'Finish the online course', 'One module per week', false, '2026-09-06 10:00:00'),
  ('20000000-0000-4000-8000-000000000004', 'b0b00000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000004', 'Call my sister every Sunday', 'Weekly calls', true, '2026-09-04 19:00:00'),
  ('20000000-0000-4000-8000-000000000005', 'b0b00000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000001', 'Run a 10k', 'Training plan', false, '2026-09-04 19:05:00'),
  ('20000000-0000-4000-8000-000000000006', 'ca201000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000003', 'Volunteer twice a month', 'Local food bank', true, '2026-10-06 08:00:00')
on conflict do nothing;

insert into public.user_assistant_threads (id, user_id, assistant_type, thread_id, created_at, last_interaction_at) values
  ('30000000-0000-4000-8000-000000000001', 'a11ce000-0000-4000-8000-000000000001', 'general_coach', 'thread_local_5f2a9c1e6b7d4e3a', '2026-09-02 20:05:00', '2026-11-21 07:40:03'),
  ('30000000-0000-4000-8000-000000000002', 'a11ce000-0000-4000-8000-000000000001', 'pillar_coach', 'thread_local_8c41d0b2a7e94f65', '2026-11-05 19:30:00', '2026-11-05 19:30:04'),
  ('30000000-0000-4000-8000-000000000003', 'b0b00000-0000-4000-8000-000000000002', 'general_coach', '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09', '2026-09-04 19:10:00', '2026-11-10 21:45:02'),
  ('30000000-0000-4000-8000-000000000004', 'ca201000-0000-4000-8000-000000000003', 'general_coach', 'thread_local_c0a1b2c3d4e5f607', '2026-09-10 08:00:00', '2026-10-05 07:20:03'),
  ('30000000-0000-4000-8000-000000000005', 'ca201000-0000-4000-8000-000000000003', 'general_coach', '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', '2026-10-06 08:10:00', '2026-11-18 18:00:02'),
  ('30000000-0000-4000-8000-000000000006', 'ca201000-0000-4000-8000-000000000003', 'pillar_coach', 'thread_local_f1e2d3c4b5a69788', '2026-11-12 07:20:00', '2026-11-12 07:20:04')
on conflict do nothing;

insert into public.journal_ai_chats (id, user_id, journal_entry_id, message, response, message_type, chat_type, goal_id, created_at) values
  ('40000000-0000-4000-8000-000000000001', 'a11ce000-0000-4000-8000-000000000001', null, 'I have been sleeping badly this week.', null, 'user', 'general', null, '2026-11-01 08:00:00'),
  ('40000000-0000-4000-8000-000000000002', 'a11ce000-0000-4000-8000-000000000001', null, 'Thanks for sharing that with me. Small, steady steps make a big difference. What is one thing you could try today?', 'Thanks for sharing that with me. Small, steady steps make a big difference. What is one thing you could try today?', 'ai', 'general', null, '2026-11-01 08:00:03'),
  ('40000000-0000-4000-8000-000000000003', 'a11ce000-0000-4000-8000-000000000001', null, 'How can I keep up my evening walks when it rains?', null, 'user', 'pillar_health', '20000000-0000-4000-8000-000000000001', '2026-11-05 19:30:00'),
  ('40000000-0000-4000-8000-000000000004', 'a11ce000-0000-4000-8000-000000000001', null, 'Taking care of your health is so important. What small step could you take this week to move closer to your goal?', 'Taking care of your health is so important. What small step could you take this week to move closer to your goal?', 'ai', 'pillar_health', '20000000-0000-4000-8000-000000000001', '2026-11-05 19:30:04'),
  ('40000000-0000-4000-8000-000000000005', 'a11ce000-0000-4000-8000-000000000001', null, 'I felt proud after journaling yesterday.', null, 'user', 'general', null, '2026-11-20 21:00:00'),
  ('40000000-0000-4000-8000-000000000006', 'a11ce000-0000-4000-8000-000000000001', null, 'That is wonderful to hear! Celebrating progress helps it stick. What made yesterday feel different?', 'That is wonderful to hear! Celebrating progress helps it stick. What made yesterday feel different?', 'ai', 'general', null, '2026-11-20 21:00:02'),
  ('40000000-0000-4000-8000-000000000007', 'a11ce000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000001', 'Today I noticed I am calmer in the mornings.', null, 'user', 'journal_reflection', null, '2026-11-21 07:40:00'),
  ('40000000-0000-4000-8000-000000000008', 'a11ce000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000001', 'Reflecting like this is a great habit. What do you think helps your mornings feel calmer?', 'Reflecting like this is a great habit. What do you think helps your mornings feel calmer?', 'ai', 'journal_reflection', null, '2026-11-21 07:40:03'),
  ('40000000-0000-4000-8000-000000000009', 'b0b00000-0000-4000-8000-000000000002', null, 'Any tips for staying in touch with family?', null, 'user', 'general', null, '2026-11-10 21:45:00'),
  ('40000000-0000-4000-8000-000000000010', 'b0b00000-0000-4000-8000-000000000002', null, 'Connection matters so much for wellbeing. Who is one person you would like to reach out to this week?', 'Connection matters so much for wellbeing. Who is one person you would like to reach out to this week?', 'ai', 'general', null, '2026-11-10 21:45:02'),
  ('40000000-0000-4000-8000-000000000011', 'ca201000-0000-4000-8000-000000000003', null, 'I want to feel more useful.', null, 'user', 'general', null, '2026-10-05 07:20:00'),
  ('40000000-0000-4000-8000-000000000012', 'ca201000-0000-4000-8000-000000000003', null, 'Thanks for sharing that with me. Small, steady steps make a big difference. What is one thing you could try today?', 'Thanks for sharing that with me. Small, steady steps make a big difference. What is one thing you could try today?', 'ai', 'general', null, '2026-10-05 07:20:03'),
  ('40000000-0000-4000-8000-000000000013', 'ca201000-0000-4000-8000-000000000003', null, 'Volunteering went well today!', null, 'user', 'general', null, '2026-11-18 18:00:00'),
  ('40000000-0000-4000-8000-000000000014', 'ca201000-0000-4000-8000-000000000003', null, 'That is wonderful to hear! Celebrating progress helps it stick. What made today feel different?', 'That is wonderful to hear! Celebrating progress helps it stick. What made today feel different?', 'ai', 'general', null, '2026-11-18 18:00:02'),
  ('40000000-0000-4000-8000-000000000015', 'ca201000-0000-4000-8000-000000000003', null, 'How do I find time to volunteer with a full-time job?', null, 'user', 'pillar_purpose', '20000000-0000-4000-8000-000000000006', '2026-11-12 07:20:00'),
  ('40000000-0000-4000-8000-000000000016', 'ca201000-0000-4000-8000-000000000003', null, 'Purpose grows from small commitments. Which two dates this month could you protect for it?', 'Purpose grows from small commitments. Which two dates this month could you protect for it?', 'ai', 'pillar_purpose', '20000000-0000-4000-8000-000000000006', '2026-11-12 07:20:04')
on conflict do nothing;
