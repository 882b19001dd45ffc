"""Turbine bearer tokens with the SDK's names: `ApiCredentials`, `BearerTokenAuth`,
`create_bearer_auth`, and `request_api_credentials` to get a key with a wallet key. Tokens are byte-compatible with the SDK's (sorted compact payload,
`token_hex(16)` nonce, unpadded base64url, Ed25519), made by signet's core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional

from signet_credentials import _native
from signet_credentials._errors import call


@dataclass
class ApiCredentials:
    """API credentials: the key id and the Ed25519 private key (hex, 32 or 64 bytes). The
    private key never appears in `repr`."""

    key_id: str
    private_key: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.key_id:
            raise ValueError("key_id is required")
        if not self.private_key:
            raise ValueError("private_key is required")


class BearerTokenAuth:
    """Makes a fresh token per request, as the SDK's `BearerTokenAuth` does."""

    def __init__(self, credentials: ApiCredentials) -> None:
        self._signer = call(lambda: _native.TokenSigner(credentials.key_id, credentials.private_key))

    @property
    def key_id(self) -> str:
        """The API key id."""
        return self._signer.key_id

    @property
    def public_key(self) -> str:
        """The Ed25519 public key, hex."""
        return self._signer.public_key

    def generate_token(self) -> str:
        """A bearer token: `base64url(payload).base64url(signature)`."""
        return call(self._signer.generate_token)

    def get_auth_header(self) -> Dict[str, str]:
        """The `Authorization` header with a fresh token."""
        return {"Authorization": f"Bearer {self.generate_token()}"}

    def __repr__(self) -> str:
        return f"BearerTokenAuth(key_id={self.key_id!r})"


def create_bearer_auth(key_id: str, private_key: str) -> BearerTokenAuth:
    """A `BearerTokenAuth` for `key_id` (the SDK's function)."""
    return BearerTokenAuth(ApiCredentials(key_id=key_id, private_key=private_key))


def request_api_credentials(host: str, private_key: str, name: Optional[str] = None) -> Dict[str, str]:
    """Registers the wallet of `private_key` (hex) at `host` by signing the registration
    message, as the current SDK's `TurbineClient.request_api_credentials` does:
    `{"api_key_id", "api_private_key", "message"}`. Keep `api_private_key`: it is shown once.
    Raises `AuthenticationError` (the wallet registered before and the server takes no
    re-registration; the host cannot be reached; a malformed key)."""
    key_id, secret = call(lambda: _native.request_api_credentials(host, private_key, name))
    return {"api_key_id": key_id, "api_private_key": secret, "message": "API key registered"}
