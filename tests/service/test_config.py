from __future__ import annotations

import pytest

from service.config import ConfigError, RateLimit, load_settings


def test_defaults_match_the_design() -> None:
    settings = load_settings({})

    assert settings.database_url == "sqlite://./btl.sqlite3"
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 8000, 1)
    assert settings.rate_limit_login == RateLimit(10, 300)
    assert settings.rate_limit_comments == RateLimit(5, 60)
    assert settings.session_ttl_seconds == 2_592_000
    assert settings.max_comment_length == 5000
    assert settings.moderation_tz == "Europe/London"


def test_values_are_parsed() -> None:
    settings = load_settings(
        {
            "BTL_PORT": "9000",
            "BTL_RATE_LIMIT_LOGIN": "3/60",
            "BTL_COMMENTING_PRODUCTS": "digital, print+digital",
            "BTL_DATABASE_URL": "postgresql://u@h/db",
        }
    )

    assert settings.port == 9000
    assert settings.rate_limit_login == RateLimit(3, 60)
    assert settings.commenting_products == frozenset({"digital", "print+digital"})
    assert settings.database_url == "postgres://u@h/db"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BTL_PORT", "abc"),
        ("BTL_PORT", "70000"),
        ("BTL_RATE_LIMIT_LOGIN", "ten"),
        ("BTL_RATE_LIMIT_COMMENTS", "0/60"),
        ("BTL_WORKERS", "0"),
        ("BTL_MODERATION_HOURS", "Mon-Fri 9-18"),
        ("BTL_MODERATION_TZ", "Mars/Olympus"),
        ("BTL_DATABASE_URL", "mysql://x"),
        ("BTL_INTROSPECTION", "maybe"),
        ("BTL_SUBSCRIBE_URL", "javascript:alert(1)"),
    ],
)
def test_a_bad_value_names_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})

    assert caught.value.variable == variable
    assert variable in str(caught.value)
    assert "expected" in str(caught.value)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"BTL_LEGAL_HOLIDAYS": "GB-XYZ"}, "BTL_LEGAL_HOLIDAYS"),
        ({"BTL_RATE_LIMIT_NOTICES": "many"}, "BTL_RATE_LIMIT_NOTICES"),
        ({"BTL_SMTP_URL": "http://mail.example"}, "BTL_SMTP_URL"),
        ({"BTL_SMTP_URL": "smtp://127.0.0.1:2525"}, "BTL_MAIL_FROM"),  # mail needs a sender
        ({"BTL_MAIL_FROM": "not an address"}, "BTL_MAIL_FROM"),
        ({"BTL_JOBS_INTERVAL_SECONDS": "0"}, "BTL_JOBS_INTERVAL_SECONDS"),
    ],
)
def test_a_bad_legal_or_mail_setting_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    assert caught.value.variable == variable


def test_legal_and_mail_settings_default_to_england_and_no_mail() -> None:
    settings = load_settings({"BTL_LEGAL_HOLIDAYS": "gb-sct"})

    assert settings.legal_holidays == "GB-SCT"
    assert load_settings({}).legal_holidays == "GB-ENG"
    assert load_settings({}).rate_limit_notices == RateLimit(10, 3600)
    assert load_settings({}).smtp_url is None


def test_publisher_integration_settings_are_parsed() -> None:
    settings = load_settings(
        {
            "BTL_SSO_ISSUER": "https://login.example.com",
            "BTL_SSO_AUDIENCE": "btl",
            "BTL_SSO_JWKS_URL": "https://login.example.com/.well-known/jwks.json",
            "BTL_SSO_LEEWAY_SECONDS": "30",
            "BTL_LOCAL_SIGNUP": "false",
            "BTL_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        }
    )

    assert settings.sso_enabled
    assert (settings.sso_secret, settings.sso_leeway_seconds) == (None, 30)
    assert settings.local_signup is False
    assert not load_settings({}).sso_enabled
    assert load_settings({}).local_signup is True


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"BTL_SSO_SECRET": "s" * 40, "BTL_SSO_AUDIENCE": "btl"}, "BTL_SSO_ISSUER"),
        ({"BTL_SSO_JWKS_URL": "https://x.test/jwks", "BTL_SSO_ISSUER": "i"}, "BTL_SSO_AUDIENCE"),
        ({"BTL_SSO_JWKS_URL": "file:///etc/jwks"}, "BTL_SSO_JWKS_URL"),
        ({"BTL_SSO_SECRET": "short but secret"}, "BTL_SSO_SECRET"),
        ({"BTL_WEBHOOK_SECRET": "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, "BTL_WEBHOOK_SECRET"),
        ({"BTL_WEBHOOK_SECRET": "whsec_not base64!"}, "BTL_WEBHOOK_SECRET"),
        ({"BTL_WEBHOOK_SECRET": "whsec_c2hvcnQ="}, "BTL_WEBHOOK_SECRET"),
    ],
)
def test_incomplete_or_bad_publisher_settings_name_the_variable(
    env: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)

    assert caught.value.variable == variable


def test_a_bad_secret_is_not_repeated_in_the_error() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"BTL_SSO_SECRET": "short but secret"})

    assert "short but secret" not in str(caught.value)
