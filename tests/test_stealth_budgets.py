"""Stealth budgets under attack: an unpaid request never shuts a salon's booking.

The proof-of-work is checked before an ask is counted against any budget; the
salon's daily asks raise the difficulty instead of refusing; and a puzzle's
difficulty is checked again when it is spent.
"""

from __future__ import annotations

import pytest

from hushbook.public import solve_pow
from hushbook_service import stealth
from support.api import Visitor, forwarder_key, from_address, make_shop, patch_tenant, wish_body

BASE = 8  # support.api.FAST: tests solve puzzles quickly


@pytest.fixture
def shop(client, make_tenant):
    return make_shop(client, make_tenant)


def exactly(challenge_id: str, low: int, high: int) -> str:
    """The first nonce with at least ``low`` and fewer than ``high`` zero bits."""
    n = 0
    while not low <= stealth.leading_zero_bits(stealth.pow_digest(challenge_id, str(n))) < high:
        n += 1
    return str(n)


def unsolved(challenge_id: str, bits: int) -> str:
    """A nonce that does not solve the puzzle (the first one that fails)."""
    n = 0
    while stealth.pow_ok(challenge_id, str(n), bits):
        n += 1
    return str(n)


def test_unsolved_puzzles_from_100_addresses_spend_no_budget(client, shop):
    """The attack that shut a salon: thousands of asks with wrong solutions were
    charged to the salon's daily asks before the puzzle was checked."""
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_tenant_day": 20}})
    key = forwarder_key(client, shop)
    refused = 0
    for i in range(100):
        attacker = from_address(client, key, f"198.18.{i}.{i % 200 + 1}")
        for _ in range(3):
            ch = attacker.challenge()
            bad = {"challenge": ch["challenge"], "nonce": unsolved(ch["challenge_id"], ch["bits"])}
            res = attacker.send_offers(wish_body(shop.cut["id"]), bad)
            assert res.status_code == 422 and "pow" in res.json["errors"]["json"], res.json
            refused += 1
        res = attacker.send_offers(wish_body(shop.cut["id"]), None)  # no proof at all
        assert res.status_code == 422 and "pow" in res.json["errors"]["json"], res.json
    assert refused == 300
    # honest customers, some from the attackers' own networks, are all answered at base cost
    for i in range(20):
        customer = from_address(client, key, f"198.18.{i}.250" if i % 2 else f"203.0.113.{i}")
        assert customer.challenge()["bits"] == BASE
        res = customer.ask(shop.cut["id"])
        assert res.status_code == 200 and res.json["offers"], res.json


def test_wrong_proofs_do_not_spend_the_visitors_own_budget(client, shop):
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_session_hour": 2}})
    v = Visitor(client, "salon-a")
    for _ in range(5):
        ch = v.challenge()
        bad = {"challenge": ch["challenge"], "nonce": unsolved(ch["challenge_id"], ch["bits"])}
        assert v.send_offers(wish_body(shop.cut["id"]), bad).status_code == 422
    assert v.ask(shop.cut["id"]).status_code == 200
    assert v.ask(shop.cut["id"]).status_code == 200
    # the session's own budget (2) still holds: spent by the two paid asks only
    third = client.post("/v1/public/salon-a/challenge", json={"session": v.session})
    assert third.status_code == 429 and third.json["reason"] == "rate_limited"


def test_past_the_salons_daily_asks_customers_pay_more_but_are_answered(client, shop):
    budget = 4
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_tenant_day": budget}})
    key = forwarder_key(client, shop)
    bits_seen = []
    for i in range(6 * budget):  # paid asks from many addresses, far past the salon's budget
        v = from_address(client, key, f"203.0.{i}.9")
        bits_seen.append(v.challenge()["bits"])
        res = v.ask(shop.cut["id"])
        assert res.status_code == 200, (i, res.json)
    assert bits_seen[: budget + 1] == [BASE] * (budget + 1)
    assert bits_seen == sorted(bits_seen) and bits_seen[-1] > BASE
    assert max(bits_seen) <= BASE + stealth.SALON_PRESSURE_MAX_BITS
    # a new customer pays the salon's pressure too, and is answered
    late = from_address(client, key, "192.0.2.77")
    bits = late.challenge()["bits"]
    assert BASE < bits <= BASE + stealth.SALON_PRESSURE_MAX_BITS
    assert late.ask(shop.cut["id"]).status_code == 200


def test_difficulty_is_decided_when_the_puzzle_is_spent(client, shop):
    """Puzzles fetched in advance were all at the base difficulty: they bought
    every later ask at the base price."""
    v = Visitor(client, "salon-a")
    puzzles = [v.challenge() for _ in range(stealth.POW_FREE_ASKS + 4)]
    assert {p["bits"] for p in puzzles} == {BASE}
    later = stealth.pow_bits(stealth.POW_FREE_ASKS + 1, BASE)  # the price after the free asks
    assert later > BASE
    codes, reasons = [], []
    for p in puzzles:  # each solved at exactly the base price (not a lucky harder nonce)
        proof = {"challenge": p["challenge"], "nonce": exactly(p["challenge_id"], BASE, later)}
        res = v.send_offers(wish_body(shop.cut["id"]), proof)
        codes.append(res.status_code)
        if res.status_code == 422:
            reasons.append(res.json["errors"]["json"]["pow"][0])
    free = stealth.POW_FREE_ASKS + 1
    assert codes == [200] * free + [422] * (len(puzzles) - free)
    assert all("too easy" in r for r in reasons)
    fresh = v.challenge()  # the way on: a new puzzle at today's price
    assert fresh["bits"] == later
    proof = {"challenge": fresh["challenge"], "nonce": solve_pow(fresh["challenge_id"], later)}
    assert v.send_offers(wish_body(shop.cut["id"]), proof).status_code == 200


def test_a_proof_refused_as_too_easy_spends_nothing(client, shop):
    """Refused as too easy: not charged to the visitor's budget, and the proof
    itself is not spent (solved harder, the same puzzle still pays)."""
    free = stealth.POW_FREE_ASKS + 1
    patch_tenant(client, shop, {"stealth_settings": {"asks_per_session_hour": free + 1}})
    v = Visitor(client, "salon-a")
    early = v.challenge()
    for _ in range(free):
        assert v.ask(shop.cut["id"]).status_code == 200
    later = stealth.pow_bits(free, BASE)
    easy = {"challenge": early["challenge"], "nonce": exactly(early["challenge_id"], BASE, later)}
    for _ in range(3):
        assert v.send_offers(wish_body(shop.cut["id"]), easy).status_code == 422
    paid = {"challenge": early["challenge"], "nonce": solve_pow(early["challenge_id"], later)}
    assert v.send_offers(wish_body(shop.cut["id"]), paid).status_code == 200
    # the session's budget (free + 1) is now spent: the refusals did not count
    ch = client.post("/v1/public/salon-a/challenge", json={"session": v.session})
    assert ch.status_code == 429 and ch.json["reason"] == "rate_limited"
