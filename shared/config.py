"""Every setting DânBàn reads, in one place.

All configuration comes from environment variables with defaults that work on
a developer machine. The README's configuration table mirrors this module.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SERVICE_NAMES = (
    "directory",
    "surveys",
    "notifications",
    "feedback",
    "training",
    "recognition",
    "webhooks",
)

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_MONGO_URL = "mongodb://127.0.0.1:27017/?directConnection=true"


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the process refuses to start."""


def _env(environ: Mapping[str, str], name: str, default: str) -> str:
    return environ.get(name, "").strip() or default


def _env_number[N: (int, float)](environ: Mapping[str, str], name: str, default: N) -> N:
    raw = _env(environ, name, str(default))
    try:
        return type(default)(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    amqp_uri: str = DEFAULT_AMQP_URI
    mongo_url: str = DEFAULT_MONGO_URL
    db_prefix: str = "danban"
    db_names: dict[str, str] = field(default_factory=dict)
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    gateway_workers: int = 2
    rpc_timeout: float = 5.0
    service_max_workers: int = 10
    service_health_port: int = 0  # a service's /livez and /readyz (Kubernetes); 0: none
    secret_key: str = ""
    admin_password: str = ""
    var_dir: str = "var"
    embedded_mongo_port: int = 27017
    pdf_font_dir: str = "/usr/share/fonts/truetype/dejavu"  # DejaVu, for ballot cards
    public_url: str = "http://127.0.0.1:8000"  # the gateway as residents reach it, for links
    # Delivery channels of the notifications service; an empty host or URL turns one off.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_sender: str = "DânBàn <thong-bao@danban.invalid>"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    sms_url: str = ""
    sms_token: str = ""
    zalo_url: str = ""
    zalo_token: str = ""
    delivery_retry_seconds: float = 30.0  # first retry; doubles after each failure
    delivery_max_attempts: int = 12  # then the delivery is given up (a dead letter)
    # Webhooks to province and commune systems (services/webhooks): plain http is
    # accepted for an endpoint on this machine only in development.
    webhook_retry_seconds: float = 10.0  # first retry; doubles after each failure...
    webhook_retry_cap_seconds: float = 600.0  # ...up to this
    webhook_max_attempts: int = 10  # then a dead letter, shown to staff to retry
    webhook_timeout_seconds: float = 10.0  # for one POST, connecting to answer

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def database_name(self, service: str) -> str:
        """Each service owns one database: `<prefix>_<service>` unless overridden."""
        return self.db_names.get(service) or f"{self.db_prefix}_{service}"

    def nameko_config(self) -> dict[str, Any]:
        """The config dict a nameko service container is started with."""
        return {
            "AMQP_URI": self.amqp_uri,
            "max_workers": self.service_max_workers,
            "MONGO_URL": self.mongo_url,
            "MONGO_DATABASES": {name: self.database_name(name) for name in SERVICE_NAMES},
            "PUBLIC_URL": self.public_url,
            "CHANNELS": {
                "smtp_host": self.smtp_host,
                "smtp_port": self.smtp_port,
                "smtp_sender": self.smtp_sender,
                "smtp_user": self.smtp_user,
                "smtp_password": self.smtp_password,
                "smtp_starttls": self.smtp_starttls,
                "sms_url": self.sms_url,
                "sms_token": self.sms_token,
                "zalo_url": self.zalo_url,
                "zalo_token": self.zalo_token,
            },
            "DELIVERY": {
                "retry_seconds": self.delivery_retry_seconds,
                "max_attempts": self.delivery_max_attempts,
            },
            "WEBHOOKS": {
                "allow_http_loopback": not self.production,
                "first_retry_seconds": self.webhook_retry_seconds,
                "retry_cap_seconds": self.webhook_retry_cap_seconds,
                "max_attempts": self.webhook_max_attempts,
                "timeout_seconds": self.webhook_timeout_seconds,
            },
        }


def load_settings(environ: Mapping[str, str] = os.environ) -> Settings:
    """Read the environment. Each process checks the secrets it uses: the gateway its
    session key, `deploy.bootstrap` the administrator's password."""
    settings = Settings(
        environment=_env(environ, "DANBAN_ENV", "development"),
        amqp_uri=_env(environ, "AMQP_URI", DEFAULT_AMQP_URI),
        mongo_url=_env(environ, "MONGO_URL", DEFAULT_MONGO_URL),
        db_prefix=_env(environ, "DANBAN_DB_PREFIX", "danban"),
        db_names={
            name: environ[f"DANBAN_DB_{name.upper()}"]
            for name in SERVICE_NAMES
            if environ.get(f"DANBAN_DB_{name.upper()}")
        },
        gateway_host=_env(environ, "GATEWAY_HOST", "127.0.0.1"),
        gateway_port=_env_number(environ, "GATEWAY_PORT", 8000),
        gateway_workers=_env_number(environ, "GATEWAY_WORKERS", 2),
        rpc_timeout=_env_number(environ, "RPC_TIMEOUT", 5.0),
        service_max_workers=_env_number(environ, "SERVICE_MAX_WORKERS", 10),
        service_health_port=_env_number(environ, "SERVICE_HEALTH_PORT", 0),
        secret_key=_env(environ, "DANBAN_SECRET_KEY", ""),
        admin_password=_env(environ, "DANBAN_ADMIN_PASSWORD", ""),
        var_dir=_env(environ, "DANBAN_VAR_DIR", "var"),
        embedded_mongo_port=_env_number(environ, "EMBEDDED_MONGO_PORT", 27017),
        pdf_font_dir=_env(environ, "DANBAN_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"),
        public_url=_env(environ, "DANBAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        smtp_host=_env(environ, "SMTP_HOST", ""),
        smtp_port=_env_number(environ, "SMTP_PORT", 25),
        smtp_sender=_env(environ, "SMTP_SENDER", "DânBàn <thong-bao@danban.invalid>"),
        smtp_user=_env(environ, "SMTP_USER", ""),
        smtp_password=_env(environ, "SMTP_PASSWORD", ""),
        smtp_starttls=_env(environ, "SMTP_STARTTLS", "no").lower() in ("1", "yes", "true"),
        sms_url=_env(environ, "SMS_URL", ""),
        sms_token=_env(environ, "SMS_TOKEN", ""),
        zalo_url=_env(environ, "ZALO_URL", ""),
        zalo_token=_env(environ, "ZALO_TOKEN", ""),
        delivery_retry_seconds=_env_number(environ, "DELIVERY_RETRY_SECONDS", 30.0),
        delivery_max_attempts=_env_number(environ, "DELIVERY_MAX_ATTEMPTS", 12),
        webhook_retry_seconds=_env_number(environ, "WEBHOOK_RETRY_SECONDS", 10.0),
        webhook_retry_cap_seconds=_env_number(environ, "WEBHOOK_RETRY_CAP_SECONDS", 600.0),
        webhook_max_attempts=_env_number(environ, "WEBHOOK_MAX_ATTEMPTS", 10),
        webhook_timeout_seconds=_env_number(environ, "WEBHOOK_TIMEOUT_SECONDS", 10.0),
    )
    if settings.environment not in ("development", "production"):
        raise ConfigurationError("DANBAN_ENV must be 'development' or 'production'")
    return settings
