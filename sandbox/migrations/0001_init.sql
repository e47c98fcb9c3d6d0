-- Kernia core tables (admin plugin columns included) plus sandbox-only tables.
-- All timestamps are Unix epoch seconds (INTEGER).

CREATE TABLE "user" (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    emailVerified INTEGER NOT NULL DEFAULT 0,
    name          TEXT,
    image         TEXT,
    createdAt     INTEGER NOT NULL,
    updatedAt     INTEGER NOT NULL,
    role          TEXT DEFAULT 'user',
    banned        INTEGER NOT NULL DEFAULT 0,
    banReason     TEXT,
    banExpires    INTEGER
);
CREATE UNIQUE INDEX user_email_idx ON "user" (email);

CREATE TABLE session (
    id             TEXT PRIMARY KEY,
    userId         TEXT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    token          TEXT NOT NULL,
    expiresAt      INTEGER NOT NULL,
    ipAddress      TEXT,
    userAgent      TEXT,
    createdAt      INTEGER NOT NULL,
    updatedAt      INTEGER NOT NULL,
    impersonatedBy TEXT
);
CREATE UNIQUE INDEX session_token_idx ON session (token);
CREATE INDEX session_userId_idx ON session (userId);
CREATE INDEX session_createdAt_idx ON session (createdAt);

CREATE TABLE account (
    id                    TEXT PRIMARY KEY,
    userId                TEXT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    providerId            TEXT NOT NULL,
    accountId             TEXT NOT NULL,
    password              TEXT,
    accessToken           TEXT,
    refreshToken          TEXT,
    idToken               TEXT,
    accessTokenExpiresAt  INTEGER,
    refreshTokenExpiresAt INTEGER,
    scope                 TEXT,
    createdAt             INTEGER NOT NULL,
    updatedAt             INTEGER NOT NULL
);
CREATE INDEX account_userId_idx ON account (userId);
CREATE UNIQUE INDEX account_provider_idx ON account (providerId, accountId);

CREATE TABLE verification (
    id         TEXT PRIMARY KEY,
    identifier TEXT NOT NULL,
    value      TEXT NOT NULL,
    expiresAt  INTEGER NOT NULL,
    createdAt  INTEGER NOT NULL,
    updatedAt  INTEGER NOT NULL
);
CREATE INDEX verification_identifier_idx ON verification (identifier);

CREATE TABLE adminConfig (
    id           TEXT PRIMARY KEY,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL DEFAULT '{}',
    secretFields TEXT NOT NULL DEFAULT '[]',
    createdAt    INTEGER NOT NULL,
    updatedAt    INTEGER NOT NULL
);
CREATE UNIQUE INDEX adminConfig_key_idx ON adminConfig (key);

CREATE TABLE auditEvent (
    id         TEXT PRIMARY KEY,
    actorId    TEXT,
    action     TEXT NOT NULL,
    targetType TEXT,
    targetId   TEXT,
    data       TEXT NOT NULL DEFAULT '{}',
    createdAt  INTEGER NOT NULL
);
CREATE INDEX auditEvent_createdAt_idx ON auditEvent (createdAt);
CREATE INDEX auditEvent_action_idx ON auditEvent (action);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
