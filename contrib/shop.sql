-- shop.sql: the demo's small shop: the products that the outbox events are about. The
-- traffic generator (contrib/traffic.sh -s) changes a product and writes its outbox event in
-- one transaction, which is the outbox pattern; the indexer copies products into the search
-- index, and synctop's search stage counts both sides (search.source_count).
--
-- Idempotent. Load with:  psql -X -v ON_ERROR_STOP=1 -d DBNAME -f shop.sql

SET client_min_messages = warning;

CREATE TABLE IF NOT EXISTS products (
    id         text        PRIMARY KEY,            -- the outbox rows' aggregate_id, e.g. 'P-00042'
    price      numeric     NOT NULL,
    stock      integer     NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()  -- compared with the newest indexed document
);

CREATE INDEX IF NOT EXISTS products_updated_at_idx ON products (updated_at);
