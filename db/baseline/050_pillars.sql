-- The wellness framework's four pillars: reference data every MiVia database has.
insert into public.pillars (id, name, display_name, sort_order) values
  ('10000000-0000-4000-8000-000000000001', 'health', 'Health', 1),
  ('10000000-0000-4000-8000-000000000002', 'emotion', 'Emotion', 2),
  ('10000000-0000-4000-8000-000000000003', 'purpose', 'Purpose', 3),
  ('10000000-0000-4000-8000-000000000004', 'connection', 'Connection', 4)
on conflict do nothing;
