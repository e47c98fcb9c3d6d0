-- kernia_api_key, kernia_sso and kernia_scim tables, plus sandbox-only
-- bookkeeping. API-key timestamps and durations are epoch MILLISECONDS (as in
-- Kernia); every other timestamp is epoch seconds.

CREATE TABLE apikey (
    id                  TEXT PRIMARY KEY,
    configId            TEXT NOT NULL DEFAULT 'default',
    name                TEXT,
    start               TEXT,
    prefix              TEXT,
    -- SHA-256 of the plaintext key, base64url without padding. Never sent.
    key                 TEXT NOT NULL,
    referenceId         TEXT NOT NULL REFERENCES "user" (id) ON DELETE CASCADE,
    enabled             INTEGER NOT NULL DEFAULT 1,
    rateLimitEnabled    INTEGER NOT NULL DEFAULT 1,
    rateLimitTimeWindow INTEGER,
    rateLimitMax        INTEGER,
    requestCount        INTEGER NOT NULL DEFAULT 0,
    remaining           INTEGER,
    refillAmount        INTEGER,
    refillInterval      INTEGER,
    lastRefillAt        INTEGER,
    lastRequest         INTEGER,
    expiresAt           INTEGER,
    createdAt           INTEGER NOT NULL,
    updatedAt           INTEGER NOT NULL,
    permissions         TEXT,
    metadata            TEXT,
    -- Sandbox-only: the current rate-limit window (ms) and its request count.
    windowStart         INTEGER,
    windowRequests      INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX apikey_key_idx ON apikey (key);
CREATE INDEX apikey_referenceId_idx ON apikey (referenceId);

-- Sandbox-only: one row per use of a key (x-api-key or /api-key/verify).
CREATE TABLE apikeyUsage (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    keyId  TEXT NOT NULL REFERENCES apikey (id) ON DELETE CASCADE,
    at     INTEGER NOT NULL,
    path   TEXT NOT NULL,
    status INTEGER NOT NULL
);
CREATE INDEX apikeyUsage_keyId_idx ON apikeyUsage (keyId, at);

CREATE TABLE ssoProvider (
    id             TEXT PRIMARY KEY,
    issuer         TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('oidc', 'saml')),
    name           TEXT,
    domains        TEXT NOT NULL DEFAULT '[]',
    oidcConfig     TEXT,
    samlConfig     TEXT,
    mapping        TEXT NOT NULL DEFAULT '{}',
    organizationId TEXT,
    userId         TEXT,
    createdAt      INTEGER NOT NULL,
    updatedAt      INTEGER NOT NULL
);
CREATE UNIQUE INDEX ssoProvider_issuer_idx ON ssoProvider (issuer);

CREATE TABLE ssoDomain (
    id                TEXT PRIMARY KEY,
    domain            TEXT NOT NULL,
    ssoProviderId     TEXT NOT NULL REFERENCES ssoProvider (id) ON DELETE CASCADE,
    verified          INTEGER NOT NULL DEFAULT 0,
    -- Sandbox: SHA-256 (base64url) of the verification token, never the token.
    verificationToken TEXT NOT NULL,
    createdAt         INTEGER NOT NULL
);
CREATE UNIQUE INDEX ssoDomain_domain_idx ON ssoDomain (domain);

CREATE TABLE scimProvider (
    id             TEXT PRIMARY KEY,
    providerId     TEXT NOT NULL,
    -- Sandbox: SHA-256 (base64url) of the token's 24-character secret part.
    scimToken      TEXT NOT NULL,
    organizationId TEXT,
    userId         TEXT,
    createdAt      INTEGER NOT NULL
);
CREATE UNIQUE INDEX scimProvider_providerId_idx ON scimProvider (providerId);
CREATE UNIQUE INDEX scimProvider_scimToken_idx ON scimProvider (scimToken);
