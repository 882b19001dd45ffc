//! The channels of Bitzoom's WebSocket, as its guide names them: public ones anyone may
//! subscribe to, and private ones that need a `logon` on the connection first.

/// Channels anyone may subscribe to.
pub const PUBLIC_CHANNELS: [&str; 8] = [
    "/api/v1/ticker",
    "/api/v1/ticker/price",
    "/api/v1/premiumindex",
    "/api/v1/ticker/hr24",
    "/api/v1/depth",
    "/api/v1/klines",
    "/api/v1/trades",
    "/api/v1/exchangeinfo",
];

/// Channels that need a `logon` on the connection first.
pub const PRIVATE_CHANNELS: [&str; 6] = [
    "/api/v1/adlquantile",
    "/api/v1/margintype",
    "/api/v1/leverage",
    "/api/v1/balance",
    "/api/v1/openorders",
    "/api/v1/positionrisk",
];

/// Whether `channel` needs the logon.
#[must_use]
pub fn is_private(channel: &str) -> bool {
    PRIVATE_CHANNELS.contains(&channel)
}

/// Whether `channel` is one of the guide's public channels.
#[must_use]
pub fn is_public(channel: &str) -> bool {
    PUBLIC_CHANNELS.contains(&channel)
}
