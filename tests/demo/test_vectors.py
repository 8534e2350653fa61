"""The demo catalogue's vectors ship with the code (app/demo/data/vectors.npz), so `make run` ranks with
vectors from the first run: every published demo posting's text must have its vector there."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from app.core.enums import PostingStatus
from app.demo.services import seed_demo
from app.postings.models import Posting
from app.search.documents import posting_document
from config import Config
from search.embedding import DIMS, PrecomputedVectors, document_text, passage_key


@pytest.fixture
def shipped() -> PrecomputedVectors:
    return PrecomputedVectors([Config.EMBEDDING_PRECOMPUTED])


def test_every_published_demo_posting_has_its_vector_shipped(db, shipped):
    seed_demo()
    db.session.commit()
    postings = db.session.scalars(sa.select(Posting).where(Posting.status == PostingStatus.PUBLISHED)).all()
    missing = [p.title for p in postings if shipped.get(document_text(posting_document(p))) is None]
    assert len(postings) > 400
    assert missing == [], f"regenerate app/demo/data/vectors.npz (README: 语义向量) for: {missing[:5]}"


def test_shipped_vectors_are_unit_length_and_a_changed_text_is_not_found(shipped):
    some = next(iter(shipped._vectors.values()))
    assert some.shape == (DIMS,) and abs(float(np.linalg.norm(some)) - 1.0) < 1e-3
    assert shipped.get("一段从未出现在演示数据中的文字") is None
    assert passage_key("钕铁硼 ") == passage_key("钕铁硼")  # white space is folded before keying
