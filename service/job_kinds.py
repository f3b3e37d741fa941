"""Every kind of job the schedulers run, and the function that does it. A new kind of
time-driven work adds its line here."""

from __future__ import annotations

from service import erasure, jobs, mail, notice_answers, notices


def handlers() -> dict[str, jobs.Handler]:
    return {
        notices.POSTER_DEADLINE: notice_answers.on_poster_deadline,
        mail.DELIVER: mail.deliver,
        erasure.ERASE: erasure.on_due,
    }
