from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.enums import OrgRole, PlatformRole
from app.core.models import EnumText, utcnow
from app.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(sa.String(256), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    position: Mapped[str | None] = mapped_column(sa.String(50))
    org_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True)
    org_role: Mapped[OrgRole] = mapped_column(EnumText(OrgRole), default=OrgRole.MEMBER, nullable=False)
    platform_role: Mapped[PlatformRole] = mapped_column(
        EnumText(PlatformRole), default=PlatformRole.NONE, nullable=False
    )
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True, nullable=False)
    # Self-registered accounts log in once the address is confirmed; everyone else (invited, created by an
    # admin, seeded) proved or was given the address, so the default is "confirmed now".
    email_confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, default=utcnow)
    # Stored in the session at login and compared on every request: raising it ends every session of the user.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)

    org = relationship("Organization", back_populates="users", foreign_keys=[org_id])

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_platform_admin(self) -> bool:
        return self.platform_role == PlatformRole.ADMIN

    @property
    def is_organiser(self) -> bool:
        return self.platform_role in (PlatformRole.ORGANISER, PlatformRole.ADMIN)

    @property
    def is_org_admin(self) -> bool:
        return self.org_id is not None and self.org_role == OrgRole.ADMIN

    def belongs_to(self, org_id: int | None) -> bool:
        return org_id is not None and self.org_id == org_id

    def __repr__(self) -> str:
        return f"<User {self.email}>"
