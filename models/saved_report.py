"""Named dashboard views a user saved: a page and its filters as a query string, so a report reopens as
it was shared."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, IdMixin, TenantScoped, TimestampMixin

NAME_MAX = 80
QUERY_MAX = 2000


class SavedReport(IdMixin, TimestampMixin, TenantScoped, Base):
    tenant_index = False  # its unique constraint starts with tenant_id
    __tablename__ = "saved_reports"
    __table_args__ = (sa.UniqueConstraint("tenant_id", "user_id", "name"),)

    user_id: Mapped[int] = mapped_column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    page: Mapped[str] = mapped_column(sa.String(40))
    query: Mapped[str] = mapped_column(sa.String(QUERY_MAX))


class ReportError(ValueError):
    """A report that cannot be saved; the message is pt-BR for the user."""


def save_report(
    session: Session, *, tenant_id: int, user_id: int, name: str, page: str, query: str
) -> SavedReport:
    """Create or overwrite the user's report of that name (saving twice is an update, not an error)."""
    name = " ".join((name or "").split())
    if not name:
        raise ReportError("Dê um nome ao relatório.")
    if len(name) > NAME_MAX:
        raise ReportError(f"O nome pode ter até {NAME_MAX} caracteres.")
    if len(query) > QUERY_MAX:
        raise ReportError("Filtros demais para salvar num relatório.")
    report = session.scalar(
        sa.select(SavedReport).where(SavedReport.user_id == user_id, SavedReport.name == name)
    )
    if report is None:
        report = SavedReport(tenant_id=tenant_id, user_id=user_id, name=name, page=page, query=query)
        session.add(report)
    else:
        report.page, report.query = page, query
    session.flush()
    return report


def list_reports(session: Session, user_id: int) -> list[SavedReport]:
    return list(
        session.scalars(
            sa.select(SavedReport).where(SavedReport.user_id == user_id).order_by(SavedReport.name)
        )
    )


def delete_report(session: Session, user_id: int, report_id: int) -> bool:
    report = session.scalar(
        sa.select(SavedReport).where(SavedReport.id == report_id, SavedReport.user_id == user_id)
    )
    if report is None:
        return False
    session.delete(report)
    return True
