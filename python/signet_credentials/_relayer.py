"""The SDK client's relayer methods with signet's signer in place of eth-account: the current
SDK (turbine-py-client at 782c939) builds each permit, approval and redemption and signs it
with `Account.sign_typed_data(self._signer._account.key, ...)`, which needs the raw key. These
build the same typed data, sign it with the signer `use_with` installed (signet's wallet or the
device, which shows each message first) and post the SDK's bodies to the same endpoints.
`use_with` binds them onto a client; on turbine-py-client 0.1.0, which has none of them, they
add what the current SDK has."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Optional

from signet_credentials._typed import (
    MAX_UINT256,
    ZERO_COLLECTION,
    TypedSignature,
    TypedSigning,
    contracts,
    ctf_approval,
    redemption,
    usdc_permit,
)
from signet_credentials._types import PermitSignature

USDC_PERMIT = "/api/v1/relayer/usdc-permit"
CTF_APPROVAL = "/api/v1/relayer/ctf-approval"
CTF_REDEMPTION = "/api/v1/relayer/ctf-redemption"
BATCH_CTF_REDEMPTION = "/api/v1/relayer/batch-ctf-redemption"


def _signer(client: Any) -> TypedSigning:
    client._require_signer()
    signer = client._signer
    if not isinstance(signer, TypedSigning):
        raise TypeError("the client's signer is not signet's: pass one to signet_credentials.use_with")
    return signer


def contract_nonce(client: Any, owner: str, contract: str) -> int:
    """The contract's next permit nonce for `owner`, from the API (`GET
    /api/v1/contracts/nonce/{contract}/{owner}`). Unlike the SDK, which signs with nonce 0 when
    the lookup fails, a failure raises: a permit with a wrong nonce can only be refused."""
    answer = client._http.get(f"/api/v1/contracts/nonce/{contract}/{owner}", params={"chain_id": str(client._chain_id)})
    return int(answer["nonce"])


def _next_nonce(client: Any, owner: str, contract: str) -> int:
    # The SDK's local tracking: one lookup per (owner, contract), then counted here, so permits
    # signed before any settles take consecutive nonces.
    tracked: Dict[Any, int] = client.__dict__.setdefault("_permit_nonces", {})
    key = (owner.lower(), contract.lower())
    if key not in tracked:
        tracked[key] = contract_nonce(client, owner, contract)
    nonce = tracked[key]
    tracked[key] = nonce + 1
    return nonce


def sync_permit_nonce(client: Any, contract_address: Optional[str] = None) -> int:
    """Resets the tracked nonce of `contract_address` (default USDC) to the API's."""
    owner = _signer(client).address
    contract = contract_address or contracts(client._chain_id).usdc
    nonce = contract_nonce(client, owner, contract)
    client.__dict__.setdefault("_permit_nonces", {})[(owner.lower(), contract.lower())] = nonce
    return nonce


def _parts(signed: TypedSignature) -> Dict[str, Any]:
    return {"v": signed.v, "r": signed.r_hex, "s": signed.s_hex}


def request_usdc_permit(
    client: Any, owner: str, spender: str, value: int, deadline: int, v: int, r: str, s: str
) -> Dict[str, Any]:
    """Posts a signed USDC permit to the relayer (the SDK's body)."""
    client._require_auth()
    data = {
        "chainId": client._chain_id,
        "owner": owner,
        "spender": spender,
        "value": str(value),
        "deadline": str(deadline),
        "v": v,
        "r": r,
        "s": s,
    }
    return dict(client._http.post(USDC_PERMIT, data=data, authenticated=True))


def sign_usdc_permit(
    client: Any, value: int, settlement_address: Optional[str] = None, deadline: Optional[int] = None
) -> PermitSignature:
    """A USDC permit for an order to carry (`SignedOrder.permit_signature`), with the next
    tracked nonce."""
    signer = _signer(client)
    nonce = _next_nonce(client, signer.address, contracts(client._chain_id).usdc)
    return signer.sign_usdc_permit(value, nonce, spender=settlement_address, deadline=deadline)


def _permit(client: Any, amount: int, spender: Optional[str], deadline: int) -> Dict[str, Any]:
    signer = _signer(client)
    client._require_auth()
    known = contracts(client._chain_id)
    spender = spender or known.settlement
    nonce = contract_nonce(client, signer.address, known.usdc)
    signed = signer.sign_typed_data(usdc_permit(client._chain_id, signer.address, spender, amount, nonce, deadline))
    return request_usdc_permit(client, signer.address, spender, amount, deadline, **_parts(signed))


def approve_usdc_for_settlement(client: Any, settlement_address: Optional[str] = None) -> Dict[str, Any]:
    """An unlimited USDC permit (maximum value and deadline) for the settlement contract,
    through the relayer. The device warns before it signs one."""
    return _permit(client, MAX_UINT256, settlement_address, MAX_UINT256)


def approve_usdc(client: Any, amount: int, spender: Optional[str] = None) -> Dict[str, Any]:
    """A USDC permit of `amount` for an hour, through the relayer."""
    return _permit(client, amount, spender, int(time.time()) + 3600)


def approve_ctf_for_settlement(client: Any, settlement_address: Optional[str] = None) -> Dict[str, Any]:
    """Lets the settlement contract move this wallet's outcome tokens (CTF
    `SetApprovalForAll`), through the relayer."""
    signer = _signer(client)
    client._require_auth()
    known = contracts(client._chain_id)
    operator = settlement_address or known.settlement
    nonce = contract_nonce(client, signer.address, known.ctf)
    deadline = int(time.time()) + 3600
    signed = signer.sign_typed_data(ctf_approval(client._chain_id, signer.address, operator, True, nonce, deadline))
    data = {
        "chainId": client._chain_id,
        "owner": signer.address,
        "operator": operator,
        "approved": True,
        "deadline": str(deadline),
        **_parts(signed),
    }
    return dict(client._http.post(CTF_APPROVAL, data=data, authenticated=True))


def _claim_data(client: Any, owner: str, markets: List[str]) -> List[Dict[str, Any]]:
    params = {"chain_id": str(client._chain_id), "markets": ",".join(markets)}
    answer = client._http.get(f"/api/v1/users/{owner}/claim-data", params=params, authenticated=True)
    return list(answer.get("markets", []))


def _redemption(client: Any, signer: TypedSigning, market: Dict[str, Any], nonce: int) -> Dict[str, Any]:
    index_sets = [1 if market["winning_outcome"] == 0 else 2]
    deadline = int(time.time()) + 3600
    typed = redemption(
        client._chain_id,
        signer.address,
        market["collateral_token"],
        market["condition_id"],
        index_sets,
        nonce,
        deadline,
        ctf=market["ctf_address"],
    )
    signed = signer.sign_typed_data(typed)
    return {
        "owner": signer.address,
        "collateralToken": market["collateral_token"],
        "parentCollectionId": ZERO_COLLECTION,
        "conditionId": market["condition_id"],
        "indexSets": [str(i) for i in index_sets],
        "deadline": str(deadline),
        **_parts(signed),
        "marketAddress": market.get("market_address", ""),
    }


def _winning(market: Dict[str, Any]) -> bool:
    return bool(market["resolved"]) and int(market["winning_balance"]) > 0


def claim_winnings(client: Any, market_contract_address: str) -> Dict[str, Any]:
    """Redeems this wallet's winning tokens of a resolved market, through the relayer (claim
    data from `GET /api/v1/users/{owner}/claim-data`, as the SDK reads it)."""
    signer = _signer(client)
    client._require_auth()
    markets = _claim_data(client, signer.address, [market_contract_address])
    if not markets:
        raise ValueError(f"No claim data available for market {market_contract_address}")
    market = markets[0]
    if not market["resolved"]:
        raise ValueError("Market is not resolved yet")
    if int(market["winning_balance"]) == 0:
        raise ValueError("No winning tokens to redeem")
    body = _redemption(client, signer, {**market, "market_address": market_contract_address}, int(market["ctf_nonce"]))
    data = {"chainId": client._chain_id, **body}
    return dict(client._http.post(CTF_REDEMPTION, data=data, authenticated=True))


def request_batch_ctf_redemption(client: Any, redemptions: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Posts signed redemptions as one batch (the SDK's body)."""
    signer = _signer(client)
    client._require_auth()
    data = {"chainId": client._chain_id, "owner": signer.address, "redemptions": redemptions}
    return dict(client._http.post(BATCH_CTF_REDEMPTION, data=data, authenticated=True))


def batch_claim_winnings(client: Any, market_contract_addresses: List[str]) -> Dict[str, Any]:
    """Redeems the winning tokens of several markets as one relayer batch; markets that are
    unresolved or hold nothing are skipped, and nonces counted per CTF contract."""
    signer = _signer(client)
    client._require_auth()
    redemptions = []
    nonces: Dict[str, int] = {}
    for market in _claim_data(client, signer.address, market_contract_addresses):
        if not _winning(market):
            continue
        ctf = market["ctf_address"]
        nonce = nonces.setdefault(ctf, int(market["ctf_nonce"]))
        nonces[ctf] = nonce + 1
        redemptions.append(_redemption(client, signer, market, nonce))
    if not redemptions:
        raise ValueError("No markets with winning tokens to redeem")
    return request_batch_ctf_redemption(client, redemptions)


#: What `use_with` binds onto a client with signet's signer.
ROUTED: Dict[str, Callable[..., Any]] = {
    "sign_usdc_permit": sign_usdc_permit,
    "approve_usdc_for_settlement": approve_usdc_for_settlement,
    "approve_usdc": approve_usdc,
    "approve_ctf_for_settlement": approve_ctf_for_settlement,
    "claim_winnings": claim_winnings,
    "batch_claim_winnings": batch_claim_winnings,
    "sync_permit_nonce": sync_permit_nonce,
    "request_usdc_permit": request_usdc_permit,
    "request_batch_ctf_redemption": request_batch_ctf_redemption,
}
