"""An embedded report filed: through incidents' one Filing entry point, then its status
link. Runs in the database's threads (`await db.run(...)`).

Once: the page sends one report id per opened form, and a repeat (a retry, a double
click) finds the link of the first. The issue's idempotency key is the site and that
id too, so a repeat after a failure between the two steps finds the issue Filing made
and only adds the missing link."""

from __future__ import annotations

import secrets
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.core.clock import Clock
from bot.core.domain import IssueType, Severity
from bot.incidents.attachments import AttachmentIn
from bot.incidents.drafts import IssueDraft
from bot.incidents.filing import Filing
from bot.reports.config import Site
from bot.reports.context import TEXT_MAX, from_user_agent
from bot.reports.embedded import EmbeddedReport, clean, stored_context
from storage.db import Database
from storage.models import ReportLink

TOKEN_BYTES = 24  # 32 URL-safe characters: the status link's only secret


def existing_token(db: Database, site: str, report_id: str) -> str | None:
    with db.session() as session:
        link = session.exec(
            select(ReportLink).where(
                ReportLink.site == site, ReportLink.client_report_id == report_id
            )
        ).first()
        return link.token if link else None


def draft_of(
    site_name: str,
    site: Site,
    report: EmbeddedReport,
    user_agent: str | None,
    reporter_id: str,
    files: tuple[AttachmentIn, ...],
) -> IssueDraft:
    """The issue as the site's settings and the page describe it."""
    parsed = from_user_agent(user_agent)
    page = replace(
        report.page,
        user_agent=clean(user_agent, TEXT_MAX) if user_agent else None,
        browser=parsed["browser"],
        os=parsed["os"],
        device=parsed["device"],
    )
    return IssueDraft(
        title=report.title,
        type=IssueType(site.type),
        severity=Severity(site.severity),
        reporter_id=reporter_id,
        service=site.service,
        environment=page.environment(),
        description=report.description,
        stack_trace=page.console_text(),
        context=stored_context(page, site_name),
        attachments=files,
    )


def file_report(
    db: Database,
    clock: Clock,
    filing: Filing,
    site_name: str,
    report: EmbeddedReport,
    draft: IssueDraft,
) -> str:
    """File the report (or find it filed) and return its status link's token."""
    known = existing_token(db, site_name, report.report_id)
    if known is not None:
        return known
    filed = filing.file(draft, f"embed:{site_name}:{report.report_id}")
    assert filed.issue.id is not None
    try:
        with db.session() as session:
            link = ReportLink(
                issue_id=filed.issue.id,
                token=secrets.token_urlsafe(TOKEN_BYTES),
                site=site_name,
                client_report_id=report.report_id,
                email=report.email,
                created_at=clock.now(),
            )
            session.add(link)
            session.flush()
            return link.token
    except IntegrityError:
        # The same report at the same moment from another request: its link is ours.
        known = existing_token(db, site_name, report.report_id)
        if known is None:
            raise
        return known
