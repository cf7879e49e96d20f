-- outbox.sql: the reference transactional-outbox schema that synctop watches by default.
--
-- The application writes its business row and an outbox row in one transaction; a relay
-- (contrib/relay.sh is the reference one) reads pending rows, publishes them, and marks them
-- processed. synctop reads this table without writing to it (except for explicit actions).
--
-- Idempotent: every statement can run again on a database that already has the schema.
-- Load with:  psql -X -v ON_ERROR_STOP=1 -d DBNAME -f outbox.sql

SET client_min_messages = warning; -- no "already exists, skipping" notices on a reload

CREATE TABLE IF NOT EXISTS outbox (
    id             bigserial   PRIMARY KEY,
    aggregate_type text        NOT NULL,               -- e.g. 'product'
    aggregate_id   text        NOT NULL,               -- key of the changed aggregate
    event_type     text        NOT NULL,               -- e.g. 'product.updated'
    payload        jsonb       NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    processed      boolean     NOT NULL DEFAULT false, -- set by the relay once published
    processed_at   timestamptz,
    attempts       integer     NOT NULL DEFAULT 0,     -- publish attempts so far
    last_error     text                                -- error of the last failed attempt
);

COMMENT ON TABLE outbox IS
    'Transactional outbox: events written with the business change, published by the relay.';
COMMENT ON COLUMN outbox.processed IS
    'false while pending; the relay sets it to true (and processed_at) once published.';
COMMENT ON COLUMN outbox.attempts IS
    'Publish attempts; synctop counts a pending row as failed at outbox.max_attempts (default 5).';
COMMENT ON COLUMN outbox.last_error IS
    'Error of the last failed attempt; a pending row with an error counts as failed.';

-- Pending rows are a small fraction of the table: a partial index keeps "how many are
-- pending" and "how old is the oldest" cheap (3 ms instead of a seq scan on 1M rows), and
-- serves the relay's "oldest pending first" claim query.
CREATE INDEX IF NOT EXISTS outbox_pending_idx ON outbox (created_at) WHERE NOT processed;

-- Failed rows (pending, at the attempts limit or with an error) are fewer still: this one lets
-- synctop count them, and list the first, without reading every pending row (10M rows with
-- 200k pending: a few ms instead of a read of all 200k, bench/pg_cost.sh). It serves
-- outbox.max_attempts 5 (the default) and above; with a lower limit the pending index does.
CREATE INDEX IF NOT EXISTS outbox_failed_idx ON outbox (created_at)
    WHERE NOT processed AND (attempts >= 5 OR last_error IS NOT NULL);

-- Control table for workers: the relay skips its work while its row says paused.
-- synctop's pause/resume actions flip this flag; paused_at tells for how long.
CREATE TABLE IF NOT EXISTS outbox_worker (
    name       text        PRIMARY KEY,              -- worker name, e.g. 'relay'
    paused     boolean     NOT NULL DEFAULT false,
    paused_at  timestamptz,                          -- when the current pause started
    updated_at timestamptz NOT NULL DEFAULT now()    -- last change of this row
);

COMMENT ON TABLE outbox_worker IS
    'One row per outbox worker; paused = true makes the worker idle until resumed.';

INSERT INTO outbox_worker (name) VALUES ('relay') ON CONFLICT (name) DO NOTHING;
