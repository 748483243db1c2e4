-- Operator find (issue 14): partial, case-insensitive search of users by email or name (an email domain is a part
-- of the email: "@acme.com"), of organizations by name and of keys by name, and lists of accounts by usage.
--
-- A search is `lower(column) LIKE '%<lower(query)>%'`, served by the GIN trigram indexes below for any part of a
-- value of 3 characters or more. pg_trgm ships with PostgreSQL (contrib; in the embedded PostgreSQL and Debian's
-- postgresql package) and is a trusted extension since PostgreSQL 13, so the database owner may create it. Where it
-- cannot be created (no privilege, contrib not installed) the migration still succeeds without these indexes: find
-- then scans the tables (fine up to ~10^5 rows; docs/operations.md says how to add the extension and indexes later).
DO $$
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pg_trgm is not available (%); operator find will scan users, organizations and keys', SQLERRM;
  END;
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX users_email_search ON users USING gin (lower(email) gin_trgm_ops);
    CREATE INDEX users_name_search ON users USING gin (lower(display_name) gin_trgm_ops);
    CREATE INDEX organizations_name_search ON organizations USING gin (lower(name) gin_trgm_ops);
    CREATE INDEX api_keys_name_search ON api_keys USING gin (lower(name) gin_trgm_ops);
  END IF;
END $$;

-- Accounts by usage over a window (the last hour, day, week or 30 days): one index-only range scan of the window's
-- usage events, summed by account. Before, no usage_events index started with the time.
CREATE INDEX usage_events_time ON usage_events (occurred_at)
    INCLUDE (user_id, organization_id, prompt_tokens, completion_tokens);
