-- Sandbox-only: every email test attempt of the dashboard's email family.
-- Never holds a secret. Timestamps are Unix epoch seconds.

CREATE TABLE emailOutbox (
    id        TEXT PRIMARY KEY,
    clientId  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    "to"      TEXT NOT NULL,
    "from"    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    status    TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'simulated')),
    error     TEXT,
    messageId TEXT NOT NULL,
    createdAt INTEGER NOT NULL
);
CREATE INDEX emailOutbox_createdAt_idx ON emailOutbox (createdAt);
