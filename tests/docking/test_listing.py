"""The 我的对接 page: received, sent and records, with their filters."""

from __future__ import annotations

from tests.conftest import as_user
from tests.docking.helpers import ST, accepted_record, pending_request


def test_my_docking_page_lists_received_sent_and_records_with_filters(client, world):
    pending_request(world)
    accepted_record(world, stage=ST.SIGNED)
    uni_view = as_user(client, world.uni_user)
    received = uni_view.get("/docking/?tab=received").text
    assert received.count("高矫顽力钕铁硼制备技术") == 2 and "包头市稀宝永磁有限公司" in received
    assert uni_view.get("/docking/?tab=received&status=pending").text.count("高矫顽力钕铁硼制备技术") == 1
    assert "高矫顽力钕铁硼制备技术" not in uni_view.get("/docking/?tab=sent").text
    assert "已签约" in uni_view.get("/docking/?tab=records&stage=signed").text
    assert "高矫顽力钕铁硼制备技术" not in uni_view.get("/docking/?tab=records&stage=completed").text
    assert as_user(client, world.sme_user).get("/docking/?tab=sent").text.count("高矫顽力钕铁硼制备技术") == 2
    assert "高矫顽力" not in as_user(client, world.outsider).get("/docking/?tab=received").text
