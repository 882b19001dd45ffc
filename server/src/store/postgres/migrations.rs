//! The schema, as changes applied in order at start-up (each once, recorded in
//! `signet_schema`, under an advisory lock so instances starting together take turns).

/// Schema changes, applied in order at start-up (each once, recorded in `signet_schema`).
pub(super) const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE signet_api_keys (
    kid TEXT PRIMARY KEY,
    public_key BYTEA NOT NULL CHECK (octet_length(public_key) = 32),
    inactive BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at BIGINT,
    wallet BYTEA NOT NULL CHECK (octet_length(wallet) = 20),
    created_at BIGINT NOT NULL,
    name TEXT CHECK (name IS NULL OR char_length(name) <= 64)
);
CREATE INDEX signet_api_keys_wallet ON signet_api_keys (wallet);
CREATE TABLE signet_wallets (
    wallet BYTEA PRIMARY KEY CHECK (octet_length(wallet) = 20),
    last_registration_ts BIGINT
);
",
    r"
CREATE TABLE signet_orders (
    order_hash BYTEA PRIMARY KEY CHECK (octet_length(order_hash) = 32),
    trader BYTEA NOT NULL CHECK (octet_length(trader) = 20),
    market_id BYTEA NOT NULL CHECK (octet_length(market_id) = 32),
    status TEXT NOT NULL CHECK (status IN ('open', 'cancelled')),
    expiration BIGINT NOT NULL,
    kid TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX signet_orders_trader ON signet_orders (trader, created_at DESC);
CREATE INDEX signet_orders_market ON signet_orders (market_id, created_at DESC);
",
    r"
CREATE TABLE signet_bitzoom_keys (
    api_key TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    label TEXT,
    permissions SMALLINT NOT NULL CHECK (permissions BETWEEN 1 AND 7),
    allowed_ips TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'revoked')),
    created_at BIGINT NOT NULL,
    secret TEXT NOT NULL
);
CREATE INDEX signet_bitzoom_keys_account ON signet_bitzoom_keys (account);
",
    // Listings name their trader, often with a market; the open-order limit counts a trader's
    // open orders.
    r"
CREATE INDEX signet_orders_trader_market ON signet_orders (trader, market_id, created_at DESC);
CREATE INDEX signet_orders_open ON signet_orders (trader, expiration) WHERE status = 'open';
",
    // The order lifecycle: when each order closes (its expiration while open, the cancel time
    // once cancelled; orders cancelled before this, their creation), indexed for pruning, and
    // the orders kept counted in 16 rows by the trader's last byte (one row would serialise
    // every instance's orders).
    r"
ALTER TABLE signet_orders ADD COLUMN closed_at BIGINT;
ALTER TABLE signet_orders ADD COLUMN closes_at BIGINT GENERATED ALWAYS AS
    (CASE WHEN status = 'cancelled' THEN COALESCE(closed_at, created_at) ELSE expiration END) STORED;
CREATE INDEX signet_orders_closing ON signet_orders (closes_at);
CREATE TABLE signet_order_counts (shard SMALLINT PRIMARY KEY, stored BIGINT NOT NULL);
INSERT INTO signet_order_counts
    SELECT s, (SELECT count(*) FROM signet_orders WHERE get_byte(trader, 19) % 16 = s)
    FROM generate_series(0, 15) s;
",
    // Messages accepted by the relayer endpoints (or attached to orders), and each owner's next
    // nonce at each contract (kept when old messages go).
    r"
CREATE TABLE signet_relayed (
    owner BYTEA NOT NULL CHECK (octet_length(owner) = 20),
    contract BYTEA NOT NULL CHECK (octet_length(contract) = 20),
    nonce NUMERIC(78, 0) NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('usdc-permit', 'ctf-approval', 'ctf-redemption')),
    body TEXT NOT NULL,
    signature BYTEA NOT NULL UNIQUE CHECK (octet_length(signature) = 65),
    kid TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (owner, contract, nonce)
);
CREATE INDEX signet_relayed_owner_time ON signet_relayed (owner, accepted_at DESC);
CREATE TABLE signet_relayer_nonces (
    owner BYTEA NOT NULL,
    contract BYTEA NOT NULL,
    next NUMERIC(78, 0) NOT NULL,
    PRIMARY KEY (owner, contract)
);
",
];
