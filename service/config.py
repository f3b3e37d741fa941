"""Settings: read once from the BTL_ environment variables into one frozen object."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from service import config_values as values
from service.config_values import RateLimit, Unusable

__all__ = ["ConfigError", "RateLimit", "Settings", "Unusable", "load_settings"]

T = TypeVar("T")


class ConfigError(Exception):
    """A BTL_ variable has a value the service cannot use."""

    def __init__(self, variable: str, expected: str, value: str, problem: str = "") -> None:
        super().__init__(f"{variable}={value!r} is invalid: {problem or 'expected ' + expected}")
        self.variable = variable


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = "sqlite://./btl.sqlite3"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    redis_url: str | None = None
    session_ttl_seconds: int = 2_592_000
    commenting_products: frozenset[str] = frozenset()
    entitlement_grace_seconds: int = 0
    subscribe_url: str | None = None
    max_comment_length: int = 5000
    max_reply_depth: int = 3
    edit_window_seconds: int = 300
    rate_limit_comments: RateLimit = RateLimit(5, 60)
    rate_limit_reports: RateLimit = RateLimit(20, 3600)
    rate_limit_login: RateLimit = RateLimit(10, 300)
    rate_limit_register: RateLimit = RateLimit(20, 3600)
    rate_limit_profile: RateLimit = RateLimit(5, 3600)
    # their own limit: a reader recommending as they read must not use up their posts
    rate_limit_recommendations: RateLimit = RateLimit(60, 60)
    # myData: a whole account read at once, so a few an hour
    rate_limit_export: RateLimit = RateLimit(5, 3600)
    # privacy (issue 13): hours between deleteMyAccount and the erasure
    deletion_grace_hours: int = 24
    # a new commenter's first N comments wait for a moderator (0: none do)
    hold_first_comments: int = 0
    moderation_hours: str = "Mon-Fri 09:00-18:00"
    moderation_tz: str = "Europe/London"
    auto_hide_full: int = 0
    auto_hide_partial: int = 3
    cors_origins: tuple[str, ...] = ()
    trusted_proxies: frozenset[str] = frozenset()
    introspection: bool = True
    max_body_bytes: int = 100_000
    max_document_chars: int = 15_000
    max_tokens: int = 2_000
    # fields an operation selects once its fragments are spread in
    max_fields: int = 500
    max_aliases: int = 15
    max_directives: int = 50
    max_cost: int = 5_000
    operation_timeout_seconds: float = 5.0
    # CPU time parsing and validating one document may take (nothing else runs meanwhile)
    validation_timeout_seconds: float = 0.5
    # a client's time to send a request's headers, and again to send its body
    read_timeout_seconds: float = 10.0
    public_max_age: int = 5
    # signed-in thread pages built from the shared signed-out answer (web/viewer_overlay.py)
    viewer_overlay: bool = True
    # the websocket (web/websocket.py, service/live.py)
    ws_max_message_bytes: int = 65_536
    ws_max_subscriptions_per_connection: int = 20
    ws_max_subscriptions: int = 10_000
    ws_queue_events: int = 256
    ws_session_check_seconds: float = 60.0
    # off: a compressor per socket costs ~30 KB of memory, and events are small
    ws_per_message_deflate: bool = False
    # legal duties and mail (issue 12)
    legal_holidays: str = "GB-ENG"
    rate_limit_notices: RateLimit = RateLimit(10, 3600)
    smtp_url: str | None = None
    mail_from: str | None = None
    jobs_interval_seconds: float = 5.0
    jobs_lease_seconds: float = 300.0
    # publisher integration: single sign-on, local sign-up, the subscription system's webhook
    sso_issuer: str | None = None
    sso_audience: str | None = None
    sso_secret: str | None = None
    sso_jwks_url: str | None = None
    sso_leeway_seconds: int = 60
    local_signup: bool = True
    webhook_secret: str | None = None
    # operations: /metrics behind this bearer token (unset: no /metrics), draining on SIGTERM
    metrics_token: str | None = None
    shutdown_grace_seconds: int = 20
    # one JSON line per request (web/request_log.py); X-Request-Id is given either way
    request_log: bool = True

    @property
    def sso_enabled(self) -> bool:
        return self.sso_secret is not None or self.sso_jwks_url is not None


NONE: tuple[str, ...] = ()


# every variable load_settings reads, gathered as it reads them (for the typo warning)
KNOWN_VARIABLES: set[str] = set()
# read by the tests, the bench and `make screenshot`, not by the service
TOOL_PREFIXES = ("BTL_TEST_", "BTL_BENCH_", "BTL_FUZZ_", "BTL_CONSOLE_SCREENSHOT")


def _read(
    env: Mapping[str, str],
    name: str,
    parse: Callable[[str], T],
    expected: str,
    default: T,
    *,
    secret: bool = False,
) -> T:
    KNOWN_VARIABLES.add(name)
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return parse(raw)
    except Unusable as exc:
        raise ConfigError(name, expected, "(hidden)" if secret else raw, str(exc)) from None
    except ValueError:  # a secret's value stays out of error messages and logs
        raise ConfigError(name, expected, "(hidden)" if secret else raw) from None


def unknown_variables(env: Mapping[str, str] | None = None) -> list[str]:
    """One line per BTL_ variable the service does not read (a typo such as BTL_PROT),
    naming the variable it probably meant."""
    env = os.environ if env is None else env
    if not KNOWN_VARIABLES:
        load_settings(env)
    lines = []
    for name in sorted(env):
        if not name.startswith("BTL_") or name in KNOWN_VARIABLES:
            continue
        if name.startswith(TOOL_PREFIXES):
            continue
        close = difflib.get_close_matches(name, KNOWN_VARIABLES, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        lines.append(f"{name} is not a variable btl reads; it is ignored{hint}")
    return lines


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every BTL_ variable once; raise ConfigError naming the first bad one."""
    env = os.environ if env is None else env
    d = Settings()
    rate = "N/seconds, e.g. 10/300"
    count = "a whole number >= 0"
    settings = Settings(
        database_url=_read(
            env,
            "BTL_DATABASE_URL",
            values.database_url,
            "sqlite://PATH or postgres://...",
            d.database_url,
        ),
        host=_read(env, "BTL_HOST", str.strip, "a host name or address", d.host),
        port=_read(env, "BTL_PORT", values.port_number, "a port number 1..65535", d.port),
        workers=_read(env, "BTL_WORKERS", values.at_least_one, "a whole number >= 1", d.workers),
        redis_url=_read(env, "BTL_REDIS_URL", str.strip, "redis://host:port/db", d.redis_url),
        session_ttl_seconds=_read(
            env,
            "BTL_SESSION_TTL_SECONDS",
            values.at_least_one,
            "seconds >= 1",
            d.session_ttl_seconds,
        ),
        commenting_products=frozenset(
            _read(env, "BTL_COMMENTING_PRODUCTS", values.comma_list, "a comma list", NONE)
        ),
        entitlement_grace_seconds=_read(
            env,
            "BTL_ENTITLEMENT_GRACE_SECONDS",
            values.positive_int,
            count,
            d.entitlement_grace_seconds,
        ),
        subscribe_url=_read(
            env, "BTL_SUBSCRIBE_URL", values.http_url, "an http(s) URL", d.subscribe_url
        ),
        max_comment_length=_read(
            env,
            "BTL_MAX_COMMENT_LENGTH",
            values.at_least_one,
            "a whole number >= 1",
            d.max_comment_length,
        ),
        max_reply_depth=_read(
            env, "BTL_MAX_REPLY_DEPTH", values.positive_int, count, d.max_reply_depth
        ),
        edit_window_seconds=_read(
            env, "BTL_EDIT_WINDOW_SECONDS", values.positive_int, count, d.edit_window_seconds
        ),
        rate_limit_comments=_read(
            env, "BTL_RATE_LIMIT_COMMENTS", values.rate_limit, rate, d.rate_limit_comments
        ),
        rate_limit_reports=_read(
            env, "BTL_RATE_LIMIT_REPORTS", values.rate_limit, rate, d.rate_limit_reports
        ),
        rate_limit_login=_read(
            env, "BTL_RATE_LIMIT_LOGIN", values.rate_limit, rate, d.rate_limit_login
        ),
        rate_limit_register=_read(
            env, "BTL_RATE_LIMIT_REGISTER", values.rate_limit, rate, d.rate_limit_register
        ),
        rate_limit_profile=_read(
            env, "BTL_RATE_LIMIT_PROFILE", values.rate_limit, rate, d.rate_limit_profile
        ),
        rate_limit_recommendations=_read(
            env,
            "BTL_RATE_LIMIT_RECOMMENDATIONS",
            values.rate_limit,
            rate,
            d.rate_limit_recommendations,
        ),
        rate_limit_export=_read(
            env, "BTL_RATE_LIMIT_EXPORT", values.rate_limit, rate, d.rate_limit_export
        ),
        deletion_grace_hours=_read(
            env, "BTL_DELETION_GRACE_HOURS", values.positive_int, count, d.deletion_grace_hours
        ),
        hold_first_comments=_read(
            env, "BTL_HOLD_FIRST_COMMENTS", values.positive_int, count, d.hold_first_comments
        ),
        moderation_hours=_read(
            env,
            "BTL_MODERATION_HOURS",
            values.schedule,
            "ranges like 'Mon-Fri 09:00-18:00; Sat 10:00-14:00'",
            d.moderation_hours,
        ),
        moderation_tz=_read(
            env, "BTL_MODERATION_TZ", values.time_zone, "an IANA time zone", d.moderation_tz
        ),
        auto_hide_full=_read(
            env, "BTL_AUTO_HIDE_FULL", values.positive_int, count, d.auto_hide_full
        ),
        auto_hide_partial=_read(
            env, "BTL_AUTO_HIDE_PARTIAL", values.positive_int, count, d.auto_hide_partial
        ),
        cors_origins=_read(
            env, "BTL_CORS_ORIGINS", values.comma_list, "a comma list", d.cors_origins
        ),
        trusted_proxies=frozenset(
            _read(env, "BTL_TRUSTED_PROXIES", values.comma_list, "a comma list of addresses", NONE)
        ),
        introspection=_read(
            env, "BTL_INTROSPECTION", values.boolean, "true or false", d.introspection
        ),
        max_body_bytes=_read(
            env, "BTL_MAX_BODY_BYTES", values.at_least_one, "bytes >= 1", d.max_body_bytes
        ),
        max_document_chars=_read(
            env,
            "BTL_MAX_DOCUMENT_CHARS",
            values.at_least_one,
            "a whole number >= 1",
            d.max_document_chars,
        ),
        max_tokens=_read(
            env, "BTL_MAX_TOKENS", values.at_least_one, "a whole number >= 1", d.max_tokens
        ),
        max_fields=_read(
            env, "BTL_MAX_FIELDS", values.at_least_one, "a whole number >= 1", d.max_fields
        ),
        max_aliases=_read(env, "BTL_MAX_ALIASES", values.positive_int, count, d.max_aliases),
        max_directives=_read(
            env, "BTL_MAX_DIRECTIVES", values.positive_int, count, d.max_directives
        ),
        max_cost=_read(env, "BTL_MAX_COST", values.at_least_one, "a whole number >= 1", d.max_cost),
        operation_timeout_seconds=_read(
            env,
            "BTL_OPERATION_TIMEOUT_SECONDS",
            values.positive_float,
            "seconds > 0",
            d.operation_timeout_seconds,
        ),
        validation_timeout_seconds=_read(
            env,
            "BTL_VALIDATION_TIMEOUT_SECONDS",
            values.positive_float,
            "seconds > 0",
            d.validation_timeout_seconds,
        ),
        read_timeout_seconds=_read(
            env,
            "BTL_READ_TIMEOUT_SECONDS",
            values.positive_float,
            "seconds > 0",
            d.read_timeout_seconds,
        ),
        public_max_age=_read(
            env, "BTL_PUBLIC_MAX_AGE", values.positive_int, count, d.public_max_age
        ),
        viewer_overlay=_read(
            env, "BTL_VIEWER_OVERLAY", values.boolean, "true or false", d.viewer_overlay
        ),
        ws_max_message_bytes=_read(
            env,
            "BTL_WS_MAX_MESSAGE_BYTES",
            values.at_least_one,
            "bytes >= 1",
            d.ws_max_message_bytes,
        ),
        ws_max_subscriptions_per_connection=_read(
            env,
            "BTL_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
            values.at_least_one,
            "a whole number >= 1",
            d.ws_max_subscriptions_per_connection,
        ),
        ws_max_subscriptions=_read(
            env,
            "BTL_WS_MAX_SUBSCRIPTIONS",
            values.at_least_one,
            "a whole number >= 1",
            d.ws_max_subscriptions,
        ),
        ws_queue_events=_read(
            env,
            "BTL_WS_QUEUE_EVENTS",
            values.at_least_one,
            "a whole number >= 1",
            d.ws_queue_events,
        ),
        ws_session_check_seconds=_read(
            env,
            "BTL_WS_SESSION_CHECK_SECONDS",
            values.positive_float,
            "seconds > 0",
            d.ws_session_check_seconds,
        ),
        ws_per_message_deflate=_read(
            env,
            "BTL_WS_PER_MESSAGE_DEFLATE",
            values.boolean,
            "true or false",
            d.ws_per_message_deflate,
        ),
        legal_holidays=_read(
            env,
            "BTL_LEGAL_HOLIDAYS",
            values.holiday_calendar,
            "a country or country-subdivision code of the holidays package, e.g. GB-ENG",
            d.legal_holidays,
        ),
        rate_limit_notices=_read(
            env, "BTL_RATE_LIMIT_NOTICES", values.rate_limit, rate, d.rate_limit_notices
        ),
        smtp_url=_read(env, "BTL_SMTP_URL", values.smtp_url, "smtp://host:port", d.smtp_url),
        mail_from=_read(env, "BTL_MAIL_FROM", values.mail_address, "an email address", d.mail_from),
        jobs_interval_seconds=_read(
            env,
            "BTL_JOBS_INTERVAL_SECONDS",
            values.positive_float,
            "seconds > 0",
            d.jobs_interval_seconds,
        ),
        jobs_lease_seconds=_read(
            env,
            "BTL_JOBS_LEASE_SECONDS",
            values.positive_float,
            "seconds > 0",
            d.jobs_lease_seconds,
        ),
        sso_issuer=_read(env, "BTL_SSO_ISSUER", str.strip, "the tokens' `iss`", d.sso_issuer),
        sso_audience=_read(env, "BTL_SSO_AUDIENCE", str.strip, "the tokens' `aud`", d.sso_audience),
        sso_secret=_read(
            env,
            "BTL_SSO_SECRET",
            values.sso_secret,
            "an HS256 secret of 32+ characters",
            d.sso_secret,
            secret=True,
        ),
        sso_jwks_url=_read(
            env, "BTL_SSO_JWKS_URL", values.http_url, "an http(s) URL", d.sso_jwks_url
        ),
        sso_leeway_seconds=_read(
            env, "BTL_SSO_LEEWAY_SECONDS", values.positive_int, count, d.sso_leeway_seconds
        ),
        local_signup=_read(
            env, "BTL_LOCAL_SIGNUP", values.boolean, "true or false", d.local_signup
        ),
        webhook_secret=_read(
            env,
            "BTL_WEBHOOK_SECRET",
            values.webhook_secret,
            "whsec_ followed by a base64 key of 16+ bytes",
            d.webhook_secret,
            secret=True,
        ),
        metrics_token=_read(
            env,
            "BTL_METRICS_TOKEN",
            values.metrics_token,
            "a token of 16+ printable ASCII characters, no spaces",
            d.metrics_token,
            secret=True,
        ),
        shutdown_grace_seconds=_read(
            env, "BTL_SHUTDOWN_GRACE_SECONDS", values.positive_int, count, d.shutdown_grace_seconds
        ),
        request_log=_read(env, "BTL_REQUEST_LOG", values.boolean, "true or false", d.request_log),
    )
    if settings.smtp_url and not settings.mail_from:
        raise ConfigError("BTL_MAIL_FROM", "an email address when BTL_SMTP_URL is set", "")
    if settings.sso_enabled:  # a token is only trusted for one issuer and one audience
        for name, value in (
            ("BTL_SSO_ISSUER", settings.sso_issuer),
            ("BTL_SSO_AUDIENCE", settings.sso_audience),
        ):
            if value is None:
                raise ConfigError(name, "a value with BTL_SSO_SECRET or BTL_SSO_JWKS_URL", "")
    return settings
