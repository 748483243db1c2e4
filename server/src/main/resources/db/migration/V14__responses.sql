-- Stored answers of the Responses API (POST /v1/responses with "store": true). One row per response: the response
-- object exactly as it was returned (body), and the conversation it answered (context: the items of its previous
-- response's context and output, then its own input; never the instructions, which OpenAI does not carry over) so
-- previous_response_id can continue it on any replica. A row belongs to the account of the key that created it: its
-- organization for organization keys, else its user; no other account can read, continue or delete it.
-- Rows are readable for responses.retention after created_at and deleted by the periodic sweep after that.
-- json (not jsonb) keeps the bytes as they were sent, key order included.
CREATE TABLE responses (
    id                   TEXT PRIMARY KEY,
    user_id              BIGINT NOT NULL,
    organization_id      BIGINT,
    api_key_id           BIGINT NOT NULL,
    request_id           TEXT NOT NULL,
    model_alias          TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('completed', 'incomplete', 'failed')),
    previous_response_id TEXT,
    created_at           TIMESTAMPTZ NOT NULL,
    context              JSON NOT NULL,
    body                 JSON NOT NULL
);
CREATE INDEX responses_created ON responses (created_at);
