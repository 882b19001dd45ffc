"""A FastAPI (Starlette) dependency that admits requests carrying a valid Turbine token:

    verifier = Verifier(key_store="redb:/var/lib/signet/keys.redb")
    app = FastAPI()

    @app.post("/orders")
    def place(claims: Claims = Depends(require_token(verifier))) -> dict:
        return {"key": claims.key_id}

A refused token is answered with its status (401, 429 or 503) and `{"detail": <documented text>}`.
"""

from __future__ import annotations

from typing import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request

from signet_credentials._errors import VerificationError
from signet_credentials.verifier import Claims, Verifier


def require_token(verifier: Verifier) -> Callable[[Request], Claims]:
    """The dependency: the request's `Authorization` header verified by `verifier`."""

    def dependency(request: Request) -> Claims:
        try:
            return verifier.verify(request.headers.get("authorization"))
        except VerificationError as refused:
            raise HTTPException(status_code=refused.status, detail=refused.message) from None

    return dependency
