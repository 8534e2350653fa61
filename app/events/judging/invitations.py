"""Judges invited by e-mail. The organiser types an address and learns nothing about it: the invitation is
listed by its address until accepted, and whoever opens the mailed link, signed in with any account, becomes
the judge (the link proves they read that mailbox). No answer differs whether the address has an account, is
already a judge or is unknown, and no name shows before the person accepts. Services flush, never commit.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for

from app.core.errors import InvalidTransition, NotFound, ValidationFailed
from app.core.mail import queue_mail, site_url
from app.core.models import utcnow
from app.core.validators import email_error
from app.core.web import local_time
from app.events.event_roles import get_event_row
from app.events.judging.models import Judge, JudgeInvitation
from app.events.judging.services import assign_judge, ensure_open
from app.events.models import Event
from app.extensions import db
from app.organizations.services import hash_token


def pending_invitations(event: Event) -> list[JudgeInvitation]:
    return list(
        db.session.scalars(
            sa.select(JudgeInvitation).where(JudgeInvitation.event_id == event.id).order_by(JudgeInvitation.id)
        )
    )


def invite_judge(event: Event, actor, email: str) -> tuple[JudgeInvitation, str]:
    """Mail the address a link to judge the event; inviting it again sends a new link in place of the old.
    Returns the invitation and its link."""
    ensure_open(event)
    email = (email or "").strip().lower()
    if message := email_error(email):
        raise ValidationFailed(f"评委邮箱：{message}")
    invitation = db.session.scalar(
        sa.select(JudgeInvitation).where(JudgeInvitation.event_id == event.id, JudgeInvitation.email == email)
    )
    if invitation is None:
        invitation = JudgeInvitation(event_id=event.id, email=email)
        db.session.add(invitation)
    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    invitation.token_hash, invitation.invited_by_id = hash_token(token), actor.id
    invitation.expires_at = utcnow() + timedelta(days=days)
    db.session.flush()
    link = site_url(url_for("judging.accept_invitation", token=token))
    queue_mail(
        email,
        f"邀请您担任“{event.title}”的评委",
        f"{actor.name} 邀请您担任“{event.title}”（{local_time(event.starts_at)} 开始，北京时间）的评委。\n\n"
        f"请在 {days} 天内打开以下链接，登录联桥平台后点击“接受邀请”：\n{link}\n\n"
        f"还没有平台账号？请先注册并确认邮箱，再打开此链接：{site_url(url_for('auth.register'))}\n"
        "如果您不认识邀请人，请忽略本邮件。",
        key=f"judge-invitation:{invitation.id}:{invitation.token_hash[:16]}",
    )
    return invitation, link


def find_judge_invitation(token: str) -> JudgeInvitation:
    """The open invitation behind a link; a forged, revoked, used or expired one gets a clear message."""
    invitation = db.session.scalar(sa.select(JudgeInvitation).where(JudgeInvitation.token_hash == hash_token(token)))
    if invitation is None:
        raise NotFound("评委邀请链接无效、已被撤销或已被使用，请联系活动主办方")
    if invitation.expires_at < utcnow():
        raise InvalidTransition("评委邀请链接已过期，请联系活动主办方重新邀请")
    return invitation


def accept_judge_invitation(token: str, user) -> Judge:
    """The signed-in user becomes a judge of the invitation's event; the link then stops working."""
    invitation = find_judge_invitation(token)
    judge = assign_judge(invitation.event, user, user, added_by_id=invitation.invited_by_id)
    db.session.delete(invitation)
    db.session.flush()
    return judge


def get_event_invitation(event: Event, invitation_id: int) -> JudgeInvitation:
    return get_event_row(JudgeInvitation, invitation_id, event)


def revoke_judge_invitation(event: Event, actor, invitation: JudgeInvitation) -> None:
    """The link stops working."""
    db.session.delete(invitation)
    db.session.flush()
