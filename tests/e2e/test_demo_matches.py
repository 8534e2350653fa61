"""What a new user sees after `make run`: the demo catalogue matched with vectors from the first run. The
demo need "车间粉尘太大，想找个靠谱的除尘方案" shows, to its owner, the dust-treatment 成果 written for it
first, labelled 高, with a reason that says the two mean the same — though the need never names its method."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.demo.data.orgs import DEMO_PASSWORD
from app.demo.services import seed_demo
from app.extensions import db
from app.postings.models import Posting
from tests.e2e.conftest import PHONE, screenshot, serving
from tests.e2e.test_journey_foundation import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEED = "车间粉尘太大，想找个靠谱的除尘方案"
ANSWER = "基于湿式静电与脉冲袋式耦合的细颗粒粉尘治理技术及其在稀土抛光粉车间的应用"


@pytest.fixture
def demo_site(make_app):
    """`make seed` on a fresh database: demo data, the drain, then `flask matching run` (vectors shipped)."""
    app = make_app(WTF_CSRF_ENABLED=True, EMBEDDINGS=True)
    with app.app_context():
        seed_demo()
        db.session.commit()
        runner = app.test_cli_runner()
        for args in (["search", "drain"], ["matching", "run", "--if-missing"]):  # what `make seed` runs
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
        need = db.session.scalar(sa.select(Posting).where(Posting.title == NEED))
        owner = db.session.scalars(sa.select(User).where(User.org_id == need.org_id)).first()
        email = owner.email
        path = f"/postings/need/{need.id}"
    with serving(app):
        yield app.live_url, email, path


def test_the_demo_dust_need_shows_its_answer_first_with_a_semantic_reason(new_page, demo_site):
    base, email, path = demo_site
    page = new_page(PHONE)
    log_in(page, base, email, DEMO_PASSWORD)
    page.goto(base + path)
    section = page.locator("#recommendations")
    first = section.locator("li.list-group-item").first
    assert ANSWER in first.inner_text()
    assert "匹配度：高" in first.inner_text()
    assert "语义" in first.inner_text()
    screenshot(page, "demo-dust-need-recommendations-phone")
