"""The experts' side: my assignments, the no-conflict declaration, the application with its score sheet, and
the application's files. Only one's own standing assignments exist here (anything else is a 404).

Blind review: the pages name the applicant by code and hide partner, team member, linked posting and file
names (the applications area's partial with blind=True); as a last guard every name blind review hides is
masked in the rendered page (free text the applicant wrote may name itself), and files download as 附件1.pdf.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import render_template, send_file, url_for
from flask_login import current_user, login_required

from app.challenges.applications.queries import linked_postings
from app.challenges.applications.services import attachment_path
from app.challenges.review import assignment as assigning
from app.challenges.review.blueprint import bp
from app.challenges.review.conflicts import conflict_of
from app.challenges.review.forms import ConflictForm, DeclarationForm, ScoreForm
from app.challenges.review.scoring import my_assignments, save_review_scores, sheet_values
from app.challenges.review.services import (
    applicant_label,
    can_open,
    criteria,
    expert_of,
    hidden_names,
    is_blind_for,
    is_closed,
    own_assignment,
    redact,
)
from app.core.errors import NotFound, ValidationFailed
from app.core.web import commit_and_redirect
from app.events.forms import submitted
from app.extensions import db

ONE = "/reviews/<int:assignment_id>"
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _masked(html: str, applications) -> str:
    names: set[str] = set()
    for application in applications:
        if is_blind_for(application.item, None):
            names.update(hidden_names(application))
    return redact(html, sorted(names, key=len, reverse=True)) if names else html


@bp.app_template_global("challenge_is_expert")
def challenge_is_expert() -> bool:
    """The signed-in user is in the expert pool (the user menu links to 我的评审任务)."""
    return expert_of(current_user) is not None


@bp.get("/reviews")
@login_required
def mine():
    expert = expert_of(current_user)
    assignments = my_assignments(expert)
    html = render_template(
        "challenges/review/mine.html",
        expert=expert,
        assignments=assignments,
        label=lambda a: applicant_label(a.application, None),
        closed=lambda a: is_closed(a.application.item, a.stage),
        rubric_size=lambda a: len(criteria(a.application.item, a.stage)),
    )
    return _masked(html, [a.application for a in assignments])


def _assignment_page(assignment, errors=None, typed=None, status: int = 200):
    application = assignment.application
    item = application.item
    blind = is_blind_for(item, None)
    opened = can_open(current_user, application, assignment.stage)
    html = render_template(
        "challenges/review/assignment.html",
        assignment=assignment,
        application=application,
        item=item,
        stage=assignment.stage,
        blind=blind,
        label=applicant_label(application, None),
        opened=opened,
        refusal=conflict_of(current_user, application, named=not blind),
        declaration=assigning.DECLARATION,
        declaration_form=DeclarationForm(),
        conflict_form=ConflictForm(),
        rubric=criteria(item, assignment.stage) if opened else [],
        values=sheet_values(assignment) if opened else {},
        linked=linked_postings(application) if opened else [],
        attachment_url=lambda a: url_for(
            ".attachment", assignment_id=assignment.id, number=application.attachments.index(a) + 1
        ),
        closed=is_closed(item, assignment.stage),
        errors=errors or {},
        typed=typed,
    )
    return _masked(html, [application]), status


@bp.get(ONE)
@login_required
def assignment(assignment_id):
    return _assignment_page(own_assignment(current_user, assignment_id))


@bp.post(f"{ONE}/declare")
@login_required
def declare(assignment_id):
    row = own_assignment(current_user, assignment_id)
    form = submitted(DeclarationForm)
    assigning.declare_no_conflict(row, current_user, form.confirm.data)
    return commit_and_redirect(url_for(".assignment", assignment_id=row.id), "已签署无利益冲突声明，可以查看申报材料")


@bp.post(f"{ONE}/conflict")
@login_required
def conflict(assignment_id):
    row = own_assignment(current_user, assignment_id)
    form = submitted(ConflictForm)
    assigning.declare_conflict(row, current_user, form.note.data)
    return commit_and_redirect(url_for(".mine"), "已声明存在利益冲突，该评审任务已终止，发榜单位会另行安排")


@bp.post(f"{ONE}/scores")
@login_required
def score(assignment_id):
    row = own_assignment(current_user, assignment_id)
    if not can_open(current_user, row.application, row.stage):
        raise NotFound()
    form = submitted(ScoreForm.for_rubric(criteria(row.application.item, row.stage)))
    try:
        save_review_scores(row, current_user, form.values(), form.comment.data)
    except ValidationFailed as err:
        db.session.rollback()
        return _assignment_page(row, err.errors or {"_": err.message}, form.typed(), 422)
    return commit_and_redirect(url_for(".assignment", assignment_id=row.id) + "#score", "评分已保存，截止前可随时修改")


@bp.get(f"{ONE}/files/<int:number>")
@login_required
def attachment(assignment_id, number):
    row = own_assignment(current_user, assignment_id)
    application = row.application
    if not can_open(current_user, application, row.stage) or not 1 <= number <= len(application.attachments):
        raise NotFound()
    found = application.attachments[number - 1]
    path = attachment_path(found)
    if not path.is_file():
        raise NotFound()
    name = found.original_name
    if is_blind_for(application.item, None):
        suffix = EXTENSIONS.get(found.content_type) or PurePath(found.original_name).suffix.lower()
        name = f"附件{number}{suffix}"
    resp = send_file(path, mimetype=found.content_type, as_attachment=True, download_name=name)
    resp.headers["Cache-Control"] = "private, max-age=0"
    return resp
