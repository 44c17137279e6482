"""A CRM's token never follows a redirect to another host: the call fails as unavailable and
the other host is never asked."""

from __future__ import annotations

import pytest

from bot.crm.base import Unavailable
from bot.crm.http import Api
from tests.redirect_catcher import catcher


def test_a_redirect_to_another_host_is_refused_and_the_token_stays() -> None:
    with catcher() as (elsewhere, reached), catcher(elsewhere + "/steal") as (crm, asked):
        api = Api(crm, {"Authorization": "Bearer crm-secret"}, timeout=5)
        with pytest.raises(Unavailable, match="redirect"):
            api.call("GET", "/deals")
        assert asked == ["Bearer crm-secret"]
        assert reached == []
