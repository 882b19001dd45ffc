"""Exceptions: one base, `SignetError`, and the SDK's names for its kinds."""

from __future__ import annotations

from typing import Callable, NoReturn, TypeVar

from signet_credentials import _native

T = TypeVar("T")


class SignetError(Exception):
    """Base of every signet error. `message` is the documented text."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


#: The official SDK's base exception name, for code written against it.
TurbineError = SignetError


class AuthenticationError(SignetError):
    """A credential could not be loaded or a token not made (the SDK's name)."""


class SignatureError(SignetError):
    """An order could not be signed (the SDK's name)."""


class VerificationError(SignetError):
    """A token was refused: `message` is the documented text (`token already used`,
    `invalid signature`, ...) and `status` the HTTP status to answer with (401, 429, 503)."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


class DeviceError(SignetError):
    """The signing device refused (no press, another trader) or could not be reached."""


class ConfigError(SignetError):
    """A verifier or store setting that cannot be used."""


def _raise(failure: _native.Failure) -> NoReturn:
    kind, message, status = failure.args
    if kind == "verification":
        raise VerificationError(message, status) from None
    cls = {
        "authentication": AuthenticationError,
        "signature": SignatureError,
        "device": DeviceError,
        "config": ConfigError,
    }.get(kind, SignetError)
    raise cls(message) from None


def call(op: Callable[[], T]) -> T:
    """Runs a native call, raising the package's exception for its failure."""
    try:
        return op()
    except _native.Failure as failure:
        _raise(failure)
