from datetime import date

import pytest

from mdk import create_app
from mdk.config import ConfigError, env_name, load_settings, setting_names
from mdk.i18n import format_day

STRONG_KEY = "k" * 40


def test_defaults_use_sqlite_under_instance_and_stockholm():
    settings = load_settings(environ={})
    assert settings.sqlalchemy_url.startswith("sqlite:///")
    assert settings.sqlalchemy_url.endswith("instance/mdk.sqlite3")
    assert settings.timezone == "Europe/Stockholm"
    assert settings.default_locale == "sv"


def test_environment_variables_override_the_toml_defaults():
    settings = load_settings(environ={"MDK_DATABASE_URL": "postgresql+psycopg://x@h/db",
                                      "MDK_SMTP_PORT": "587", "MDK_TIMEZONE": "UTC"})
    assert settings.database_url == "postgresql+psycopg://x@h/db"
    assert settings.smtp_port == 587
    assert settings.timezone == "UTC"


def test_extra_config_file_is_read_between_defaults_and_environment(tmp_path):
    extra = tmp_path / "site.toml"
    extra.write_text('base_url = "https://mdk.example.se"\nsmtp_port = 2525\n')
    settings = load_settings(environ={"MDK_CONFIG": str(extra), "MDK_SMTP_PORT": "465"})
    assert settings.base_url == "https://mdk.example.se"
    assert settings.smtp_port == 465


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"MDK_ENV": "production", "MDK_BASE_URL": "https://mdk.example.se"}, "MDK_SECRET_KEY"),
        ({"MDK_ENV": "production", "MDK_SECRET_KEY": "short",
          "MDK_BASE_URL": "https://mdk.example.se"}, "MDK_SECRET_KEY"),
        ({"MDK_ENV": "production", "MDK_SECRET_KEY": STRONG_KEY,
          "MDK_BASE_URL": "http://mdk.example.se"}, "MDK_BASE_URL"),
        ({"MDK_ENV": "production", "MDK_SECRET_KEY": STRONG_KEY,
          "MDK_BASE_URL": "https://mdk.example.se", "MDK_SMTP_SECURITY": "none"},
         "MDK_SMTP_SECURITY"),
        ({"MDK_ENV": "staging"}, "MDK_ENV"),
        ({"MDK_SMTP_PORT": "twenty-five"}, "MDK_SMTP_PORT"),
        ({"MDK_TIMEZONE": "Europe/Stockholmm"}, "MDK_TIMEZONE"),
        ({"MDK_DEFAULT_LOCALE": "de"}, "MDK_DEFAULT_LOCALE"),
        ({"MDK_IMAP_HOST": "imap.example.se"}, "MDK_IMAP_USER"),
        ({"MDK_IMAP_HOST": "imap.example.se", "MDK_IMAP_USER": "u",
          "MDK_IMAP_SECURITY": "tls"}, "MDK_IMAP_SECURITY"),
        ({"MDK_IMAP_HOST": "imap.example.se", "MDK_IMAP_USER": "u", "MDK_IMAP_PORT": "0"},
         "MDK_IMAP_PORT"),
        ({"MDK_IMAP_HOST": "imap.example.se", "MDK_IMAP_USER": "u",
          "MDK_IMAP_PROCESSED_FOLDER": ""}, "MDK_IMAP_PROCESSED_FOLDER"),
        ({"MDK_IMAP_HOST": "imap.example.se", "MDK_IMAP_USER": "u",
          "MDK_IMAP_UNUSABLE_FOLDER": "INBOX"}, "MDK_IMAP_UNUSABLE_FOLDER"),
        ({"MDK_ENV": "production", "MDK_SECRET_KEY": STRONG_KEY,
          "MDK_BASE_URL": "https://mdk.example.se", "MDK_IMAP_HOST": "imap.example.se",
          "MDK_IMAP_USER": "u", "MDK_IMAP_SECURITY": "none"}, "MDK_IMAP_SECURITY"),
    ],
)
def test_unsafe_or_wrong_settings_are_refused_naming_the_setting(environ, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(environ=environ)


def test_the_replies_mailbox_is_off_by_default_and_its_password_never_shown():
    assert load_settings(environ={}).imap_host == ""
    settings = load_settings(environ={"MDK_IMAP_HOST": "imap.example.se", "MDK_IMAP_USER": "u",
                                      "MDK_IMAP_PASSWORD": "hemligt-lösen"})
    assert (settings.imap_port, settings.imap_security, settings.imap_folder) == (
        993, "ssl", "INBOX")
    assert (settings.imap_processed_folder, settings.imap_unusable_folder) == (
        "nMDK/Behandlade", "nMDK/Ej behandlade")
    assert settings.imap_password == "hemligt-lösen"
    assert "hemligt" not in repr(settings)


def test_no_secret_setting_is_in_the_settings_repr():
    settings = load_settings(environ={"MDK_SMTP_PASSWORD": "smtp-hemlis",
                                      "MDK_SECRET_KEY": "k" * 40 + "-hemlig-nyckel"})
    assert settings.smtp_password == "smtp-hemlis"
    assert "smtp-hemlis" not in repr(settings) and "hemlig-nyckel" not in repr(settings)


def test_production_with_safe_settings_starts(tmp_path):
    app = create_app({"env": "production", "secret_key": STRONG_KEY,
                      "base_url": "https://mdk.example.se", "instance_dir": str(tmp_path),
                      "database_url": f"sqlite:///{tmp_path}/p.sqlite3"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.config["TESTING"]


def test_production_with_default_secret_refuses_to_start(tmp_path):
    with pytest.raises(ConfigError, match="MDK_SECRET_KEY"):
        create_app({"env": "production", "base_url": "https://mdk.example.se",
                    "instance_dir": str(tmp_path)})


def test_every_setting_is_documented_in_readme_and_default_toml():
    from mdk.config import CONFIG_DIR, PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    defaults = (CONFIG_DIR / "default.toml").read_text(encoding="utf-8")
    for name in setting_names():
        assert env_name(name) in readme, f"{env_name(name)} missing from README"
        assert f"\n{name} = " in defaults, f"{name} missing from config/default.toml"


@pytest.mark.parametrize(
    ("day", "language", "expected"),
    [
        (date(2026, 12, 1), "sv", "tis 1 dec 2026 · v. 49"),
        (date(2026, 12, 1), "en", "Tue 1 Dec 2026 · wk 49"),
        (date(2027, 1, 1), "sv", "fre 1 jan 2027 · v. 53"),
        (date(2026, 5, 4), "sv", "mån 4 maj 2026 · v. 19"),
    ],
)
def test_days_are_shown_with_weekday_and_iso_week(day, language, expected):
    assert format_day(day, language) == expected
