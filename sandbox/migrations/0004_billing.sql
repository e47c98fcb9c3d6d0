-- Billing: Kernia's Stripe plugin tables (user.stripeCustomerId, subscription;
-- kernia-wire.md §9.3) plus the dashboard billing contract's tables
-- (docs/dashboard-api.yaml, family "billing") and the webhook delivery log.
-- All timestamps are Unix epoch seconds; money is in minor units.

ALTER TABLE "user" ADD COLUMN stripeCustomerId TEXT;
CREATE INDEX user_stripeCustomerId_idx ON "user" (stripeCustomerId);

CREATE TABLE subscription (
    id                   TEXT PRIMARY KEY,
    plan                 TEXT,
    referenceId          TEXT NOT NULL,
    stripeCustomerId     TEXT,
    stripeSubscriptionId TEXT,
    status               TEXT NOT NULL DEFAULT 'incomplete',
    periodStart          INTEGER,
    periodEnd            INTEGER,
    cancelAtPeriodEnd    INTEGER NOT NULL DEFAULT 0,
    cancelAt             INTEGER,
    canceledAt           INTEGER,
    endedAt              INTEGER,
    seats                INTEGER,
    trialStart           INTEGER,
    trialEnd             INTEGER,
    priceId              TEXT,
    groupId              TEXT,
    billingInterval      TEXT,
    stripeScheduleId     TEXT,
    createdAt            INTEGER NOT NULL,
    updatedAt            INTEGER NOT NULL
);
CREATE INDEX subscription_referenceId_idx ON subscription (referenceId);
CREATE UNIQUE INDEX subscription_stripeSubscriptionId_idx ON subscription (stripeSubscriptionId);

CREATE TABLE billingProduct (
    id          TEXT PRIMARY KEY,          -- Stripe product id
    name        TEXT NOT NULL,
    description TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    metadata    TEXT NOT NULL DEFAULT '{}', -- canonical JSON object
    archivedAt  INTEGER,
    createdAt   INTEGER NOT NULL,
    updatedAt   INTEGER NOT NULL
);

CREATE TABLE billingPlan (
    id          TEXT PRIMARY KEY,          -- slug
    name        TEXT NOT NULL,
    description TEXT,
    createdAt   INTEGER NOT NULL,
    updatedAt   INTEGER NOT NULL
);

CREATE TABLE billingPrice (
    id            TEXT PRIMARY KEY,        -- Stripe price id
    productId     TEXT NOT NULL REFERENCES billingProduct (id),
    active        INTEGER NOT NULL DEFAULT 1,
    currency      TEXT NOT NULL,           -- ISO 4217, lower case
    unitAmount    INTEGER,                 -- minor units; NULL for tiered/custom prices
    type          TEXT NOT NULL CHECK (type IN ('one_time', 'recurring')),
    interval      TEXT,                    -- day|week|month|year for recurring, NULL for one_time
    intervalCount INTEGER,
    lookupKey     TEXT,
    nickname      TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',
    planId        TEXT REFERENCES billingPlan (id),
    archivedAt    INTEGER,
    createdAt     INTEGER NOT NULL,
    updatedAt     INTEGER NOT NULL
);
CREATE INDEX billingPrice_productId_idx ON billingPrice (productId);
CREATE INDEX billingPrice_planId_idx ON billingPrice (planId);

CREATE TABLE billingFeature (
    key            TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('boolean', 'metered', 'seats', 'quantity')),
    includedAmount INTEGER,
    resetPeriod    TEXT CHECK (resetPeriod IN ('month', 'year', 'never')),
    overageAllowed INTEGER NOT NULL DEFAULT 0,
    createdAt      INTEGER NOT NULL,
    updatedAt      INTEGER NOT NULL
);

CREATE TABLE billingPlanFeature (
    planId     TEXT NOT NULL REFERENCES billingPlan (id) ON DELETE CASCADE,
    featureKey TEXT NOT NULL REFERENCES billingFeature (key),
    "limit"    INTEGER,                    -- NULL = unlimited
    enabled    INTEGER NOT NULL DEFAULT 1,
    createdAt  INTEGER NOT NULL,
    updatedAt  INTEGER NOT NULL,
    PRIMARY KEY (planId, featureKey)
);

CREATE TABLE billingGrant (
    id          TEXT PRIMARY KEY,
    referenceId TEXT NOT NULL,              -- user id or organization id
    featureKey  TEXT NOT NULL REFERENCES billingFeature (key),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    expiresAt   INTEGER,                    -- NULL = never
    reason      TEXT NOT NULL,
    grantedBy   TEXT,                       -- acting admin's user id
    createdAt   INTEGER NOT NULL
);
CREATE INDEX billingGrant_reference_idx ON billingGrant (referenceId, featureKey);

CREATE TABLE billingUsageEvent (
    id             TEXT PRIMARY KEY,
    referenceId    TEXT NOT NULL,
    featureKey     TEXT NOT NULL REFERENCES billingFeature (key),
    quantity       INTEGER NOT NULL,
    idempotencyKey TEXT NOT NULL,
    occurredAt     INTEGER NOT NULL,
    recordedBy     TEXT,
    createdAt      INTEGER NOT NULL
);
CREATE UNIQUE INDEX billingUsageEvent_idempotencyKey_idx ON billingUsageEvent (idempotencyKey);
CREATE INDEX billingUsageEvent_reference_idx ON billingUsageEvent (referenceId, featureKey, occurredAt);

-- One row per POST to /api/auth/stripe/webhook. Never the body or a secret.
CREATE TABLE stripeWebhookDelivery (
    id           TEXT PRIMARY KEY,
    receivedAt   INTEGER NOT NULL,
    eventId      TEXT,
    type         TEXT,
    status       TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'handler_error')),
    handled      INTEGER NOT NULL DEFAULT 0,
    errorCode    TEXT,
    errorMessage TEXT
);
CREATE INDEX stripeWebhookDelivery_receivedAt_idx ON stripeWebhookDelivery (receivedAt);
