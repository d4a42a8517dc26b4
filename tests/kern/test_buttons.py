"""The button codec: what `encode` writes, `decode` reads back; anything else is None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kern.buttons import (
    DRAFT_FIELDS,
    MAX_ARG,
    MAX_ID,
    MAX_VERSION,
    SIGNAL_ACTIONS,
    DraftButton,
    LanguageButton,
    SignalButton,
    decode,
    encode,
)

_VALUE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_", min_size=1, max_size=20)
BUTTONS = st.one_of(
    st.builds(
        SignalButton,
        st.integers(0, MAX_ID - 1),
        st.integers(0, MAX_VERSION - 1),
        st.sampled_from(sorted(SIGNAL_ACTIONS)),
        st.one_of(st.none(), st.integers(0, MAX_ARG - 1)),
    ),
    st.builds(
        DraftButton, st.integers(0, MAX_ID - 1), st.sampled_from(sorted(DRAFT_FIELDS)), _VALUE
    ),
    st.builds(LanguageButton, st.sampled_from(["nl", "en"])),
)


@given(BUTTONS)
def test_every_button_survives_encoding_within_telegrams_64_bytes(button) -> None:
    data = encode(button)
    assert len(data.encode()) <= 64
    assert decode(data) == button


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "s:1².1:ok",  # a Unicode digit is no digit here
        "s:1.1:ok:²",
        "d:¹²:urg:hoog",
        "s:99999999999999999999.1:ok",  # overflow
        "s:1.99999999999999999999:ok",
        "s:1.1:to:99999999999999999999",
        f"s:{2**31}.1:ok",  # one past a PostgreSQL integer
        "s:1.1:delete",  # unknown action
        "s:1.1",
        "s:1.1:ok:",
        "s:1.1:ok:1:2",
        "s:-1.1:ok",
        "s:1.1:OK",
        "x:1.1:ok",  # unknown kind
        "d:1:password:x",  # unknown field
        "d:1:urg:",
        "d:1:urg:HOOG",
        "d:1:urg:a b",
        "d:1:urg:" + "a" * 21,
        "l:de",
        "l:",
        "s:1.1:ok" + " " * 60,  # more than 64 bytes
        "d:1:urg:" + "a" * 60,
    ],
)
def test_forged_or_garbled_data_decodes_to_none(data: str | None) -> None:
    assert decode(data) is None


# Arbitrary text behind each kind's prefix, so the parsing past the kind is exercised too.
GARBLE = st.tuples(
    st.sampled_from(["", "s:", "s:1.", "s:1.1:", "d:", "d:1:", "d:1:urg:", "l:"]),
    st.text(max_size=80),
).map("".join)


@given(GARBLE)
def test_decode_never_raises(data: str) -> None:
    button = decode(data)
    assert button is None or decode(encode(button)) == button
