"""异议: lodged by a signed-in organisation during the 公示期, answered by the issuer.

Who objected is known only to the issuer (and to the objecting organisation itself): the public page counts
objections and never names the objector. Upholding an objection against a proposed application takes it out of
the round (back to SCREENED, with the answer as its decision note); upholding one against the round as a whole,
or taking out its last application, cancels the round so the issuer can decide again.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from app.challenges.items.status import can_manage
from app.challenges.notice import results
from app.challenges.notice.models import ChallengeNotice, ChallengeObjection, ObjectionFile
from app.challenges.notice.services import cancel_notice, set_application_status, team_user_ids, tell_users
from app.core.challenge_enums import ApplicationStatus, NoticeStatus, ObjectionStatus
from app.core.clock import local_date, local_today
from app.core.errors import FieldError, Forbidden, InvalidTransition, NotFound
from app.core.models import add_once, record_change, utcnow
from app.core.uploads import check_upload, save_upload, upload_root
from app.extensions import db
from app.notifications.services import org_user_ids

REASONS_MIN, REASONS_MAX = 30, 3000
ANSWER_MIN, ANSWER_MAX = 10, 2000
FILES_MAX = 5
FILE_FOLDER = "challenge_objections"


class DuplicateObjection(Exception):
    """The same form posted twice: the first objection stands."""

    def __init__(self, objection: ChallengeObjection):
        super().__init__("duplicate objection")
        self.objection = objection


def in_period(notice: ChallengeNotice, today=None) -> bool:
    """Objections are taken from publication (a 公示 published on a weekend is public before its first working
    day) until the end of its last day, Beijing time."""
    today = today or local_today()
    return notice.status == NoticeStatus.OPEN and local_date(notice.published_at) <= today <= notice.ends_on


def objection_refusal(user, notice: ChallengeNotice) -> str | None:
    """Why this user cannot object now (None: the form is offered)."""
    if not in_period(notice):
        return "公示期内方可提出异议" if notice.status == NoticeStatus.OPEN else "本轮公示已结束"
    if not getattr(user, "is_authenticated", False):
        return "请登录后提出异议"
    if user.org_id is None:
        return "请先加入或注册机构后提出异议"
    if user.org_id == notice.item.batch.issuer_org_id:
        return "发榜方不能对本单位的公示提出异议"
    return None


def _by_token(token: str) -> ChallengeObjection | None:
    return db.session.scalar(sa.select(ChallengeObjection).where(ChallengeObjection.form_token == token))


def lodge_objection(notice: ChallengeNotice, actor, application_id, reasons: str | None, uploads, form_token=None):
    """An objection with reasons (at least REASONS_MIN characters) and up to FILES_MAX evidence files (PDF,
    JPEG, PNG), against one proposed application or the round as a whole. Every file is checked before any is
    stored; the same form posted twice raises DuplicateObjection with the first one. The issuer is told."""
    if refusal := objection_refusal(actor, notice):
        raise Forbidden(refusal)
    if form_token and (first := _by_token(form_token)):
        raise DuplicateObjection(first)
    target = _target(notice, application_id)
    reasons = (reasons or "").strip()
    if len(reasons) < REASONS_MIN:
        raise FieldError("reasons", f"请写明异议的事实和理由，至少{REASONS_MIN}个字")
    if len(reasons) > REASONS_MAX:
        raise FieldError("reasons", f"异议理由不能超过{REASONS_MAX}个字")
    checked = _checked_files(uploads)
    objection = ChallengeObjection(
        notice_id=notice.id,
        application_id=target.id if target else None,
        org_id=actor.org_id,
        lodged_by_id=actor.id,
        reasons=reasons,
        form_token=form_token or None,
    )
    if first := add_once(objection, form_token):
        raise DuplicateObjection(first)
    for one in checked:
        objection.files.append(ObjectionFile(**save_upload(one, FILE_FOLDER).columns(actor)))
    record_change("challenge_objection", objection.id, None, ObjectionStatus.LODGED, actor)
    item = notice.item
    about = f"对《{target.project_title}》" if target else "对本次公示"
    tell_users(
        org_user_ids(item.batch.issuer_org_id),
        f"challenge_objection:{objection.id}:lodged",
        f"《{item.title}》收到一件异议",
        f"{about}提出，请在公示期内答复。",
        item,
        "challenge_notice.decide",
    )
    db.session.flush()
    return objection


def _target(notice: ChallengeNotice, application_id: int | None):
    """The proposed application objected to (None: the round as a whole)."""
    if application_id is None:
        return None
    target = next((a for a in results.notice_applications(notice) if a.id == application_id), None)
    if target is None or target.status != ApplicationStatus.PROPOSED:
        raise FieldError("application_id", "请选择公示中的拟揭榜单位，或选择“对本次公示整体”")
    return target


def _checked_files(uploads) -> list:
    """Every evidence file checked before any is stored: one bad file refuses the objection."""
    files = [u for u in (uploads or []) if u is not None and getattr(u, "filename", None)]
    if len(files) > FILES_MAX:
        raise FieldError("files", f"证明材料最多上传{FILES_MAX}个文件")
    return [check_upload(u, noun="证明材料", field="files") for u in files]


def answer_objection(objection: ChallengeObjection, actor, uphold: bool, answer: str | None) -> ChallengeObjection:
    """The issuer answers: dismissed, or upheld (its application leaves the round; the round is cancelled when
    the objection is about the whole round or no proposed application is left). The answer is required; the
    objecting organisation is told."""
    answer = (answer or "").strip()
    if len(answer) < ANSWER_MIN:
        raise FieldError("answer", f"请写明答复意见，至少{ANSWER_MIN}个字")
    if len(answer) > ANSWER_MAX:
        raise FieldError("answer", f"答复意见不能超过{ANSWER_MAX}个字")
    to = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
    done = db.session.execute(
        sa.update(ChallengeObjection)
        .where(ChallengeObjection.id == objection.id, ChallengeObjection.status == ObjectionStatus.LODGED)
        .values(status=to, answer=answer, answered_at=utcnow(), answered_by_id=actor.id)
        .execution_options(synchronize_session="fetch")
    )
    if done.rowcount != 1:
        raise InvalidTransition("该异议已经答复")
    db.session.refresh(objection)
    record_change("challenge_objection", objection.id, ObjectionStatus.LODGED, to, actor, answer)
    notice = objection.notice
    if uphold and notice.status == NoticeStatus.OPEN:
        _uphold(objection, notice, actor, answer)
    item = notice.item
    tell_users(
        _objector_user_ids(objection),
        f"challenge_objection:{objection.id}:answered",
        f"您对《{item.title}》公示的异议已答复：{to.label}",
        answer[:200],
        item,
    )
    db.session.flush()
    return objection


def _uphold(objection: ChallengeObjection, notice: ChallengeNotice, actor, answer: str) -> None:
    note = f"异议成立：{answer}"
    if objection.application_id is not None:
        app = next((a for a in results.notice_applications(notice) if a.id == objection.application_id), None)
        if app is not None and app.status == ApplicationStatus.PROPOSED:
            app.decision_note = note
            set_application_status(app, ApplicationStatus.SCREENED, actor, note)
            tell_users(
                team_user_ids(app),
                f"challenge_objection:{objection.id}:removed",
                f"《{app.project_title}》因异议成立移出公示",
                answer[:200],
                notice.item,
            )
        left = [a for a in results.notice_applications(notice) if a.status == ApplicationStatus.PROPOSED]
        if left:
            return
    cancel_notice(notice, actor, note)


def _objector_user_ids(objection: ChallengeObjection) -> list[int]:
    if objection.org_id:
        return org_user_ids(objection.org_id)
    return [objection.lodged_by_id] if objection.lodged_by_id else []


# --- who sees what ----------------------------------------------------------------------------------


def may_see_objection(user, objection: ChallengeObjection) -> bool:
    """The issuer's desk and the objecting organisation; nobody else learns who objected or what they sent."""
    if not getattr(user, "is_authenticated", False):
        return False
    return can_manage(user, objection.notice.item.batch) or (
        user.org_id is not None and user.org_id == objection.org_id
    )


def own_objections(user, notice: ChallengeNotice) -> list[ChallengeObjection]:
    if not getattr(user, "is_authenticated", False) or user.org_id is None:
        return []
    return [o for o in notice.objections if o.org_id == user.org_id]


def get_visible_file(user, file_id: int) -> ObjectionFile:
    """An evidence file, for the issuer's desk and the objecting organisation only (anyone else: 404)."""
    row = db.session.get(ObjectionFile, file_id)
    if row is None or not may_see_objection(user, row.objection):
        raise NotFound()
    return row


def file_path(row: ObjectionFile) -> Path:
    return upload_root(FILE_FOLDER) / row.stored_name
