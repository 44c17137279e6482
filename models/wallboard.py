"""A team's wallboard link: the office TV's read-only view of the team (`/board/<token>`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class WallboardLink(Base):
    """The one link a team's board has (or had): only the SHA-256 of its token is kept, so the
    link is shown once; a new link replaces the digest, a revoke clears it."""

    __tablename__ = "wallboard_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(ForeignKey("workspace.id"), index=True)
    # One row per team: a second `/salesbot wallboard` replaces the link in it.
    team_id: Mapped[int] = mapped_column(ForeignKey("sales_team.id"), unique=True)
    # Hex SHA-256 of the token; None: revoked, no link opens the board.
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
