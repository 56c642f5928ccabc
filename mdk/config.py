"""Settings: config/default.toml, then an optional MDK_CONFIG file, then MDK_* variables.

Read once, into one typed, frozen object; every other module asks it, never os.environ.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = PROJECT_ROOT / "config"
DEFAULT_SECRET_KEY = "dev-only-not-secret"
ENVIRONMENTS = ("development", "test", "production")
SMTP_SECURITY = ("none", "starttls", "tls")
IMAP_SECURITY = ("ssl", "starttls", "none")
MAIL_BACKENDS = ("smtp", "file")
LOCALES = ("sv", "en")
LOGIN_MODES = ("password", "oidc", "both")
MIN_AUDIT_RETENTION_YEARS = 5  # DESIGN §5: audit logs are kept at least five years


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    secret_key: str = field(default=DEFAULT_SECRET_KEY, repr=False)  # never in a log
    database_url: str = ""
    base_url: str = "http://127.0.0.1:5000"
    timezone: str = "Europe/Stockholm"
    default_locale: str = "sv"
    care_areas_dir: str = ""
    instance_dir: str = ""
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = field(default="", repr=False)  # never in a log or a traceback
    smtp_security: str = "starttls"
    smtp_from: str = "mdk@localhost"
    smtp_timeout_seconds: int = 30
    mail_backend: str = "smtp"
    outbox_batch_size: int = 50
    outbox_lease_seconds: int = 300
    outbox_max_attempts: int = 20
    outbox_retry_base_seconds: int = 60
    outbox_retry_max_seconds: int = 3600
    log_level: str = "INFO"
    session_idle_minutes: int = 30
    session_absolute_hours: int = 10
    login_slowdown_after: int = 3
    login_lockout_after: int = 10
    login_lockout_minutes: int = 30
    audit_retention_years: int = 5
    calendar_horizon_months: int = 12
    invite_window_weeks: int = 8
    feeds_enabled: bool = True
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"
    imap_user: str = ""
    imap_password: str = field(default="", repr=False)  # never in a log or a traceback
    imap_folder: str = "INBOX"
    imap_processed_folder: str = "nMDK/Behandlade"
    imap_unusable_folder: str = "nMDK/Ej behandlade"
    max_request_mb: int = 30
    upload_max_mb: int = 20
    scheduler_registry: str = ""
    api_rate_limit: str = "120 per minute"
    api_rate_limit_storage: str = ""
    login: str = "password"
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = field(default="", repr=False)  # never in a log or a traceback
    oidc_scopes: str = "openid profile"
    oidc_clock_skew_seconds: int = 60
    oidc_claim_person_hsa_id: str = "employeeHsaId"
    oidc_claim_unit_hsa_id: str = "healthCareUnitHsaId"
    oidc_claim_provider_hsa_id: str = "healthCareProviderHsaId"
    oidc_claim_purpose: str = "commissionPurpose"
    oidc_purposes: str = "Vård och behandling"
    oidc_register_unknown: bool = False

    @property
    def password_login(self) -> bool:
        return self.login in ("password", "both")

    @property
    def oidc_login(self) -> bool:
        return self.login in ("oidc", "both")

    @property
    def oidc_purpose_list(self) -> list[str]:
        """The commission purposes a login may carry; empty: any."""
        return [part.strip() for part in self.oidc_purposes.split(";") if part.strip()]

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def max_request_bytes(self) -> int:
        return self.max_request_mb * 1024 * 1024

    @property
    def upload_limit_mb(self) -> int:
        """The largest file in MB: MDK_UPLOAD_MAX_MB, within the request limit (a body over
        that is cut before it is read; the upload form then names the file field too)."""
        return min(self.upload_max_mb, self.max_request_mb)

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_limit_mb * 1024 * 1024

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def instance_path(self) -> Path:
        return Path(self.instance_dir) if self.instance_dir else PROJECT_ROOT / "instance"

    @property
    def care_areas_path(self) -> Path:
        return Path(self.care_areas_dir) if self.care_areas_dir else CONFIG_DIR / "care_areas"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance_path / 'mdk.sqlite3'}"


def env_name(key: str) -> str:
    return f"MDK_{key.upper()}"


def setting_names() -> list[str]:
    return [f.name for f in fields(Settings)]


def load_settings(overrides: dict[str, Any] | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Build the settings; `overrides` (tests, create_app(config)) win over everything."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = _read_toml(CONFIG_DIR / "default.toml")
    extra = environ.get("MDK_CONFIG")
    if extra:
        values.update(_read_toml(Path(extra)))
    for name in setting_names():
        if env_name(name) in environ:
            values[name] = environ[env_name(name)]
    values.update(overrides or {})
    unknown = sorted(set(values) - set(setting_names()))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}")
    settings = Settings(**{name: _coerce(name, value) for name, value in values.items()})
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    """Refuse settings that would make the service unsafe or unusable."""
    if settings.env not in ENVIRONMENTS:
        raise ConfigError(f"MDK_ENV must be one of {', '.join(ENVIRONMENTS)}, not {settings.env!r}")
    if settings.default_locale not in LOCALES:
        raise ConfigError(f"MDK_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}")
    if settings.smtp_security not in SMTP_SECURITY:
        raise ConfigError(f"MDK_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY)}")
    if settings.mail_backend not in MAIL_BACKENDS:
        raise ConfigError(f"MDK_MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}")
    try:
        settings.tz  # noqa: B018 - resolving the zone is the check
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"MDK_TIMEZONE {settings.timezone!r} is not a known time zone") from exc
    if settings.audit_retention_years < MIN_AUDIT_RETENTION_YEARS:
        raise ConfigError(f"MDK_AUDIT_RETENTION_YEARS must be at least "
                          f"{MIN_AUDIT_RETENTION_YEARS} (years the audit log is kept)")
    if not settings.base_url.startswith(("http://", "https://")):
        raise ConfigError("MDK_BASE_URL must start with http:// or https://")
    for name in ("session_idle_minutes", "session_absolute_hours", "login_slowdown_after",
                 "login_lockout_after", "login_lockout_minutes", "calendar_horizon_months",
                 "invite_window_weeks",
                 "max_request_mb", "upload_max_mb", "smtp_timeout_seconds", "outbox_batch_size",
                 "outbox_lease_seconds", "outbox_max_attempts", "outbox_retry_max_seconds"):
        if getattr(settings, name) < 1:
            raise ConfigError(f"{env_name(name)} must be at least 1")
    if settings.outbox_retry_base_seconds < 0:
        raise ConfigError("MDK_OUTBOX_RETRY_BASE_SECONDS must be at least 0")
    _validate_rate_limit(settings.api_rate_limit)
    _validate_imap(settings)
    _validate_oidc(settings)
    if settings.is_production:
        _validate_production(settings)


def _validate_rate_limit(text: str) -> None:
    from limits import parse_many

    try:
        parsed = parse_many(text)
    except ValueError:
        parsed = []
    if not parsed or any(item.amount < 1 or item.get_expiry() < 1 for item in parsed):
        raise ConfigError(f"MDK_API_RATE_LIMIT must read like '120 per minute' (several "
                          f"separated by ';'), not {text!r}")


def _validate_imap(settings: Settings) -> None:
    """The replies mailbox: checked only when MDK_IMAP_HOST turns the job on."""
    if not settings.imap_host.strip():
        return
    if settings.imap_security not in IMAP_SECURITY:
        raise ConfigError(f"MDK_IMAP_SECURITY must be one of {', '.join(IMAP_SECURITY)}")
    if not 1 <= settings.imap_port <= 65535:
        raise ConfigError("MDK_IMAP_PORT must be a port number (1-65535)")
    if not settings.imap_user.strip():
        raise ConfigError("MDK_IMAP_USER must be set when MDK_IMAP_HOST is")
    folders = {"imap_folder": settings.imap_folder,
               "imap_processed_folder": settings.imap_processed_folder,
               "imap_unusable_folder": settings.imap_unusable_folder}
    for name, folder in folders.items():
        if not folder.strip() or any(ch in folder for ch in '\r\n\0"*%'):
            raise ConfigError(f"{env_name(name)} must be a folder name, not {folder!r}")
    if len({folder.strip().lower() for folder in folders.values()}) < len(folders):
        raise ConfigError("MDK_IMAP_PROCESSED_FOLDER and MDK_IMAP_UNUSABLE_FOLDER must differ "
                          "from each other and from MDK_IMAP_FOLDER")
    if settings.is_production and settings.imap_security == "none":
        raise ConfigError("MDK_IMAP_SECURITY must be ssl or starttls in production")


def _validate_oidc(settings: Settings) -> None:
    """OIDC login: its settings are checked when MDK_LOGIN turns it on."""
    if settings.login not in LOGIN_MODES:
        raise ConfigError(f"MDK_LOGIN must be one of {', '.join(LOGIN_MODES)}, "
                          f"not {settings.login!r}")
    if settings.oidc_clock_skew_seconds < 0:
        raise ConfigError("MDK_OIDC_CLOCK_SKEW_SECONDS must be at least 0")
    if not settings.oidc_login:
        return
    if not settings.oidc_issuer.startswith(("http://", "https://")):
        raise ConfigError("MDK_OIDC_ISSUER must be the IdP's issuer URL when MDK_LOGIN is "
                          f"{settings.login}")
    if not settings.oidc_client_id.strip():
        raise ConfigError(f"MDK_OIDC_CLIENT_ID must be set when MDK_LOGIN is {settings.login}")
    if "openid" not in settings.oidc_scopes.split():
        raise ConfigError("MDK_OIDC_SCOPES must include openid")
    for name in ("oidc_claim_person_hsa_id", "oidc_claim_unit_hsa_id"):
        if not getattr(settings, name).strip():
            raise ConfigError(f"{env_name(name)} must name a claim")
    if settings.is_production:
        if not settings.oidc_issuer.startswith("https://"):
            raise ConfigError("MDK_OIDC_ISSUER must use https:// in production")
        if not settings.oidc_client_secret:
            raise ConfigError("MDK_OIDC_CLIENT_SECRET must be set in production")


def _validate_production(settings: Settings) -> None:
    if not settings.secret_key or settings.secret_key == DEFAULT_SECRET_KEY:
        raise ConfigError("MDK_SECRET_KEY must be set to a random value in production")
    if len(settings.secret_key) < 32:
        raise ConfigError("MDK_SECRET_KEY must be at least 32 characters in production")
    if not settings.base_url.startswith("https://"):
        raise ConfigError("MDK_BASE_URL must use https:// in production")
    if settings.smtp_security == "none":
        raise ConfigError("MDK_SMTP_SECURITY must be starttls or tls in production")


def random_secret_key() -> str:
    return secrets.token_urlsafe(48)


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    changed = replace(settings, **changes)
    validate(changed)
    return changed


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"MDK_CONFIG file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def _coerce(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{env_name(name)} must be a whole number, not {value!r}") from exc
    if kind == "bool":
        return _boolean(name, value)
    if not isinstance(value, str):
        raise ConfigError(f"{env_name(name)} must be text, not {value!r}")
    return value


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS | FALSE_WORDS:
        return text in TRUE_WORDS
    raise ConfigError(f"{env_name(name)} must be true or false, not {value!r}")
