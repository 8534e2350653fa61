"""Rules of the shared code tables and validators."""

import pytest

from app.core.enums import OrgType, Tier
from app.core.industries import industry_name, normalize_industry
from app.core.regions import parse_region, region_name
from app.core.validators import credit_code_error, patent_error, phone_error, split_list
from tests.factories import make_credit_code

# A code whose check character is known independently of our implementation.
REAL_CODES = ["91350100M000100Y43"]  # the worked example that accompanies GB 32100-2015


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_are_accepted(code):
    assert credit_code_error(code) is None


def test_generated_credit_codes_are_valid():
    for seed in range(50):
        assert credit_code_error(make_credit_code(seed)) is None


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("", "请填写"),
        ("91150100701463622", "18位"),
        ("91150100701463622X", "校验位"),
        ("9115010070146362IO", "无效字符"),
        ("91AB0100701463622D", "无效字符"),
    ],
)
def test_wrong_credit_code_gets_a_clear_message(code, fragment):
    message = credit_code_error(code)
    assert message and fragment in message


@pytest.mark.parametrize("phone", ["13912345678", "0471-6543210", "04716543210", "+86 13912345678", "(0471)6543210"])
def test_valid_phones(phone):
    assert phone_error(phone) is None


@pytest.mark.parametrize("phone", ["12345", "2345678901234", "abc", "1391234567"])
def test_invalid_phones(phone):
    assert "格式不正确" in phone_error(phone)


@pytest.mark.parametrize(
    "number", ["ZL201910123456.7", "CN201910123456.7", "201910123456X", "CN112345678A", "ZL 2019 1012 3456.7"]
)
def test_patent_numbers_in_cnipa_format(number):
    assert patent_error(number) is None


@pytest.mark.parametrize("number", ["ZL2019", "US1234567B2", "专利一号"])
def test_malformed_patent_numbers(number):
    assert "格式不正确" in patent_error(number)


def test_industry_codes_follow_gbt_4754():
    assert normalize_industry("c39") == "C39"
    assert normalize_industry("39") == "C39"
    assert normalize_industry("A03") == "A03"
    assert normalize_industry("C03") is None  # 03 is 畜牧业, under 门类 A
    assert normalize_industry("Z99") is None
    assert industry_name("C32") == "有色金属冶炼和压延加工业"


def test_regions_accept_names_and_short_forms():
    assert parse_region("包头市") == "150200"
    assert parse_region("包头") == "150200"
    assert parse_region("锡盟") == "152500"
    assert parse_region("150600") == "150600"
    assert parse_region("火星") is None
    assert region_name("999999") == "区外"


def test_lists_split_on_chinese_and_ascii_separators():
    assert split_list("稀土；永磁、电机,风电;稀土") == ["稀土", "永磁", "电机", "风电"]
    assert split_list(["a", " b ", ""]) == ["a", "b"]


def test_enums_resolve_codes_and_labels():
    assert OrgType.from_any("高校") is OrgType.UNIVERSITY
    assert OrgType.from_any("university") is OrgType.UNIVERSITY
    assert Tier.from_any('专精特新"小巨人"') is Tier.LITTLE_GIANT
    assert Tier.LITTLE_GIANT.rank > Tier.INNOVATIVE.rank


def test_home_page_renders_in_chinese(client, db):
    from tests.factories import PostingFactory

    PostingFactory(title="高纯稀土金属提纯工艺")
    db.session.commit()
    resp = client.get("/")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "高纯稀土金属提纯工艺" in text
    assert "cdn" not in text.lower()


def test_unknown_page_is_a_chinese_404(client):
    resp = client.get("/no/such/page")
    assert resp.status_code == 404
    assert "页面不存在" in resp.get_data(as_text=True)


def test_unexpected_error_shows_a_chinese_500_page_not_a_traceback(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("secret internals")

    app.add_url_rule("/boom", "boom", boom)
    resp = app.test_client().get("/boom")
    assert resp.status_code == 500
    text = resp.get_data(as_text=True)
    assert "服务器开小差了" in text
    assert "secret internals" not in text
