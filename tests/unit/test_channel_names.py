"""Issue channel names always satisfy Slack's rules."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.incidents.channel_names import channel_name

SLACK_RULE = re.compile(r"^[a-z0-9_-]{1,80}$")


def test_typical_name() -> None:
    assert (
        channel_name("inc", 42, "Checkout fails for EU users!")
        == "inc-42-checkout-fails-for-eu-users"
    )
    assert channel_name("inc", 42, "Checkout fails", attempt=3) == "inc-42-checkout-fails-3"
    assert channel_name("inc", 7, "Ünïcödé façade") == "inc-7-unicode-facade"
    assert channel_name("inc", 7, "🔥🔥") == "inc-7"
    assert channel_name("inc", 9, "Straße gesperrt") == "inc-9-strasse-gesperrt"
    assert channel_name("inc", 9, "支付失败") == "inc-9-zhifushibai"
    assert channel_name("inc", 9, "שגיאה בתשלום") == "inc-9-sgy-h-vtslvm"


@given(
    title=st.text(max_size=150),
    number=st.integers(1, 10**9),
    attempt=st.integers(1, 20),
)
def test_every_name_is_valid_for_slack(title: str, number: int, attempt: int) -> None:
    name = channel_name("inc", number, title, attempt)
    assert SLACK_RULE.match(name), name
    assert name.startswith(f"inc-{number}")
    if attempt > 1:
        assert name.endswith(f"-{attempt}")
