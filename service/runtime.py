"""What domain functions need besides the database: settings, rate limits, coverage."""

from __future__ import annotations

from dataclasses import dataclass

from service.config import Settings
from service.coverage import CoverageSchedule
from service.ratelimit import RateLimiter
from service.shared_reads import SharedReads
from service.sso_keys import PublisherKeys


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    limiter: RateLimiter
    coverage: CoverageSchedule
    shared: SharedReads
    publisher_keys: PublisherKeys

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        return cls(
            settings=settings,
            limiter=RateLimiter(
                {
                    "login": settings.rate_limit_login,
                    "register": settings.rate_limit_register,
                    "comments": settings.rate_limit_comments,
                    "reports": settings.rate_limit_reports,
                    "notices": settings.rate_limit_notices,
                    "profile": settings.rate_limit_profile,
                    "recommendations": settings.rate_limit_recommendations,
                    "export": settings.rate_limit_export,
                },
                settings.redis_url,
            ),
            coverage=CoverageSchedule(
                settings.moderation_hours,
                settings.moderation_tz,
                settings.auto_hide_full,
                settings.auto_hide_partial,
            ),
            shared=SharedReads(),
            publisher_keys=PublisherKeys(settings),
        )
