"""MDK_FEEDS_ENABLED: on by default, read as a yes/no, anything else refused by name."""

from __future__ import annotations

import pytest

from mdk.config import ConfigError, load_settings


def test_feeds_are_on_by_default():
    assert load_settings(environ={}).feeds_enabled is True


@pytest.mark.parametrize(("text", "value"), [("false", False), ("0", False), ("off", False),
                                             ("no", False), ("True", True), ("1", True),
                                             (" yes ", True)])
def test_the_setting_reads_yes_and_no(text, value):
    assert load_settings(environ={"MDK_FEEDS_ENABLED": text}).feeds_enabled is value


@pytest.mark.parametrize("text", ["nej", "", "2"])
def test_anything_else_is_refused_naming_the_setting(text):
    with pytest.raises(ConfigError, match="MDK_FEEDS_ENABLED must be true or false"):
        load_settings(environ={"MDK_FEEDS_ENABLED": text})
