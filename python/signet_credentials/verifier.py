"""Turbine token verification for Python API servers, with signet's checks in the documented
order and texts, a replay store (in this process, or Redis shared by instances) and keys given
here or read from a key registry (a redb file or PostgreSQL, as `signet serve` keeps them)."""

from __future__ import annotations

from typing import Mapping, NamedTuple, Optional

from signet_credentials import _native
from signet_credentials._errors import call


class Claims(NamedTuple):
    """What a verified token says: its key id, time and nonce."""

    key_id: str
    ts: int
    nonce: str


class Verifier:
    """Verifies `Authorization` headers; share one per process (it is thread-safe).

    `keys` maps key ids to Ed25519 public keys (hex); or `key_store` names a registry
    (`redb:PATH`, `postgres://...`). `replay_store` is `"memory"` (this process) or
    `redis://...` / `redis-cluster://...` (shared by every instance).
    """

    def __init__(
        self,
        keys: Optional[Mapping[str, str]] = None,
        key_store: Optional[str] = None,
        replay_store: str = "memory",
        replay_capacity: int = 1 << 20,
    ) -> None:
        self._native = call(lambda: _native.Verifier(key_store, replay_store, replay_capacity))
        for key_id, public_key in (keys or {}).items():
            self.add_key(key_id, public_key)

    def add_key(self, key_id: str, public_key: str) -> None:
        """Trusts `key_id` with `public_key` (hex); for verifiers without a key store."""
        call(lambda: self._native.add_key(key_id, public_key))

    def verify(self, authorization: Optional[str]) -> Claims:
        """Checks a header value now and records its nonce; raises `VerificationError` with the
        documented text and the HTTP status to answer with."""
        key_id, ts, nonce = call(lambda: self._native.verify(authorization))
        return Claims(key_id, ts, nonce)

    def __repr__(self) -> str:
        return "Verifier(...)"
