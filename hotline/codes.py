"""Tracking codes: 70 random bits in Crockford base32, grouped, with a Luhn mod 32 check character.

A code reads like ``7KQ2M-XH4PD-9TR3F``: easy to say on the phone (no I, L, O, U), and a single
mistyped character or two swapped neighbours are caught by the check character before any lookup.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# Crockford decoding is forgiving: read I and L as 1, O as 0.
_VALUE.update({"I": 1, "L": 1, "O": 0})
RANDOM_CHARS = 14  # 14 x 5 = 70 bits
GROUP = 5


def _check_char(payload: str) -> str:
    """Luhn mod N over the base32 alphabet (detects single errors and adjacent swaps)."""
    n = len(ALPHABET)
    factor, total = 2, 0
    for ch in reversed(payload):
        addend = factor * _VALUE[ch]
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_tracking_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return _group(payload + _check_char(payload))


def _group(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalise_tracking_code(text: str) -> str | None:
    """Canonical form of what a citizen typed or read out, or None if it cannot be a code."""
    raw = "".join(ch for ch in text.upper() if ch not in " -_.")
    if len(raw) != RANDOM_CHARS + 1 or any(ch not in _VALUE for ch in raw):
        return None
    raw = "".join(ALPHABET[_VALUE[ch]] for ch in raw)
    payload, check = raw[:-1], raw[-1]
    if _check_char(payload) != check:
        return None
    return _group(raw)


def new_secret() -> str:
    """The citizen's second factor when no phone number was given (60 random bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(12))


def normalise_secret(text: str) -> str:
    raw = "".join(ch for ch in text.upper() if ch not in " -_.")
    return "".join(ALPHABET[_VALUE[ch]] if ch in _VALUE else ch for ch in raw)
