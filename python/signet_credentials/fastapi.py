"""A FastAPI (Starlette) dependency that admits requests carrying a valid Turbine token:

    verifier = Verifier(key_store="redb:/var/lib/signet/keys.redb")
    app = FastAPI()

    @app.post("/orders")
    def place(claims: Claims = Depends(require_token(verifier))) -> dict:
        return {"key": claims.key_id}

A refused token is answered with its status (401, 429 or 503) and `{"detail": <documented text>}`;
two `Authorization` headers with 400 `repeated authorization header`, as `signet serve` answers
(a proxy and this server could each read another one).
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
        headers = request.headers.getlist("authorization")
        if len(headers) > 1:
            raise HTTPException(status_code=400, detail="repeated authorization header")
        try:
            return verifier.verify(headers[0] if headers else None)
        except VerificationError as refused:
            raise HTTPException(status_code=refused.status, detail=refused.message) from None

    return dependency
