-- When a usage event's row was actually written (the ledger writes in batches after the response, or later from
-- the journal after a database outage). occurred_at stays the request's start, which the weekly windows count by.
-- Rows written before this migration have no such time (NULL). The column is added without a default so the
-- table is not rewritten; the default applies to new rows only.
ALTER TABLE usage_events ADD COLUMN recorded_at TIMESTAMPTZ;
ALTER TABLE usage_events ALTER COLUMN recorded_at SET DEFAULT clock_timestamp();

-- A model an operator pauses stays in the catalog and is refused for a while with 503 model_unavailable
-- (Retry-After); a disabled one is withdrawn and refused with 404 model_disabled.
ALTER TABLE models DROP CONSTRAINT models_state_check;
ALTER TABLE models ADD CONSTRAINT models_state_check CHECK (state IN ('enabled', 'paused', 'disabled'));
