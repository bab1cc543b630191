"""The edge of the shared rules (portal/forms.py): every code of the pure rules has its words, in both languages; the
upload policies' numbers make the labels; the amount bound; the contact validators keep the normal form."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import flask_babel
import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import Form

from portal.core.contacts import ContactProblem
from portal.core.money import MAX_FEN
from portal.core.uploads import (
    COMMITMENT_LETTER,
    EVIDENCE,
    MB,
    REPAIR_EVIDENCE,
    REPAIR_PLEDGE,
    FileKind,
    UploadPolicy,
    UploadProblem,
    UploadRefusedError,
)
from portal.core.uscc import UsccProblem
from portal.forms import (
    CONTACT_MESSAGES,
    UPLOAD_MESSAGES,
    USCC_MESSAGES,
    YuanField,
    email_field,
    parse_money,
    phone_field,
    request_limit,
    upload_label,
    upload_message,
    upload_rule,
    uscc_message,
)
from portal.listing import uscc_param

ZH, EN = "zh_CN", "en"


@contextlib.contextmanager
def reading(app: Flask, lang: str) -> Iterator[None]:
    """A request in this language (the test's app context is shared: the cached locale goes first)."""
    with app.test_request_context(f"/?lang={lang}"):
        flask_babel.refresh()
        yield


def test_every_code_has_its_words() -> None:
    assert set(UPLOAD_MESSAGES) == set(UploadProblem)
    assert set(CONTACT_MESSAGES) == set(ContactProblem)
    assert set(USCC_MESSAGES) == set(UsccProblem) - {UsccProblem.CHARACTERS}  # that one names the characters


@pytest.mark.parametrize(
    ("refused", "zh", "en"),
    [
        (UploadRefusedError(UploadProblem.TOO_LARGE, mb=20), "文件太大：最大 20 MB。", "the maximum is 20 MB"),
        (
            UploadRefusedError(UploadProblem.NAME_TOO_LONG, n=201, max=200),
            "文件名太长（201 个字符），最多 200 个字符。",
            "too long (201 characters); the maximum is 200",
        ),
        (
            UploadRefusedError(UploadProblem.WRONG_KIND, kinds="PDF / PNG"),
            "文件内容不是 PDF / PNG（按文件内容判断，与扩展名无关）。",
            "is not PDF / PNG",
        ),
        (UploadRefusedError(UploadProblem.EMPTY), "文件是空的（0 字节）。", "empty"),
    ],
)
def test_upload_refusals_in_words(app: Flask, refused: UploadRefusedError, zh: str, en: str) -> None:
    with reading(app, ZH):
        assert upload_message(refused) == zh
    with reading(app, EN):
        assert en in upload_message(refused)


@pytest.mark.parametrize(
    ("policy", "zh", "en"),
    [
        (
            EVIDENCE,
            "PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB",
            "PDF, JPEG or PNG; up to 5 files, 10 MB each at most",
        ),
        (
            REPAIR_EVIDENCE,
            "PDF、JPEG 或 PNG，1 至 5 个，每个最大 10 MB",
            "PDF, JPEG or PNG; 1 to 5 files, 10 MB each at most",
        ),
        (REPAIR_PLEDGE, "一份 PDF，最大 20 MB", "one PDF, 20 MB maximum"),
        (COMMITMENT_LETTER, "PDF，最大 20 MB", "PDF, 20 MB maximum"),
        # other numbers, other words: the labels follow the policy
        (
            UploadPolicy(frozenset({FileKind.PNG, FileKind.PDF}), 7 * MB, 3),
            "PDF 或 PNG，最多 3 个，每个最大 7 MB",
            None,
        ),
        (UploadPolicy(frozenset({FileKind.JPEG}), 1 * MB, 2, required=True), "JPEG，1 至 2 个，每个最大 1 MB", None),
    ],
)
def test_a_policy_in_words(app: Flask, policy: UploadPolicy, zh: str, en: str | None) -> None:
    with reading(app, ZH):
        assert upload_rule(policy) == zh
        assert str(upload_label("附件", policy)) == f"附件（{zh}）"
    if en is not None:
        with reading(app, EN):
            assert upload_rule(policy) == en


def test_the_labels_follow_the_policies(app: Flask) -> None:
    from portal.commitments.forms import CommitmentForm
    from portal.complaints.public_forms import ComplaintForm
    from portal.objections.forms import ObjectionForm
    from portal.rectifications.forms import ProgressForm
    from portal.repairs.forms import RepairForm

    with reading(app, ZH):
        assert str(ComplaintForm().attachments.label.text) == "附件（PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB）"
        assert str(ProgressForm().evidence.label.text) == "佐证材料（PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB）"
        repair = RepairForm()
        assert str(repair.evidence.label.text) == "履行佐证材料（PDF、JPEG 或 PNG，1 至 5 个，每个最大 10 MB）"
        assert str(repair.pledge.label.text) == "签章的信用承诺书（一份 PDF，最大 20 MB）"
        letter = CommitmentForm().letter
        assert str(letter.label.text) == "签章承诺书（PDF，最大 20 MB）"
        assert str(letter.description) == "必须是可以打开、未加密的 PDF 文件，最大 20 MB。"
        evidence = ObjectionForm().evidence
        assert str(evidence.description) == "可选。PDF、JPEG 或 PNG，最多 5 个，每个最大 10 MB，按文件内容核验。"
    with reading(app, EN):
        assert str(ComplaintForm().attachments.label.text) == (
            "Attachments (PDF, JPEG or PNG; up to 5 files, 10 MB each at most)"
        )


def test_request_limits_come_from_the_policies() -> None:
    assert request_limit(EVIDENCE) == 52 * MB
    assert request_limit(REPAIR_EVIDENCE, REPAIR_PLEDGE) == 72 * MB


# --- amounts -------------------------------------------------------------------------------------------------------


def test_the_largest_amount(app: Flask) -> None:
    assert MAX_FEN == 10**14
    assert parse_money("1000000000000") == MAX_FEN
    assert parse_money("1,000,000,000,000.00 元") == MAX_FEN
    with (
        reading(app, ZH),
        pytest.raises(ValueError, match="金额过大：最多 1,000,000,000,000 元") as refused,
    ):
        parse_money("1000000000000.01")
    with reading(app, EN):
        assert "1,000,000,000,000" in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "fen", "error"),
    [
        ("12.5", 1250, None),
        ("", None, None),
        ("1" + "0" * 17, None, "金额过大"),  # 10^17 元
        ("12.345", None, "请填写金额"),
    ],
)
def test_yuan_field(app: Flask, typed: str, fen: int | None, error: str | None) -> None:
    class AmountForm(Form):
        amount = YuanField("金额")

    with reading(app, ZH):
        form = AmountForm(MultiDict({"amount": typed}))
        assert form.validate() is (error is None)
        assert form.amount.data == fen
        if error:
            assert error in str(form.amount.errors[0])
            assert form.amount._value() == typed  # what was typed comes back


# --- 统一社会信用代码 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y43", None),
        ("91350100M000100Y4", "统一社会信用代码应为 18 位"),
        ("91350100M000100YI3", "含有统一社会信用代码不使用的字符：I"),
        ("9135A100M000100Y43", "第 3–8 位应为行政区划代码（数字）"),
        ("91350100M000100Y44", "校验位不符，请核对统一社会信用代码"),
    ],
)
def test_uscc_words_are_the_same_on_forms_and_list_filters(app: Flask, code: str, message: str | None) -> None:
    with reading(app, ZH):
        assert uscc_message(code) == message
        if message is None:
            assert uscc_param(f" {code.lower()} ") == code
        else:
            with pytest.raises(ValueError, match=message):
                uscc_param(code)


# --- contacts ------------------------------------------------------------------------------------------------------


class ContactForm(Form):
    phone = phone_field()
    email = email_field()


@pytest.mark.parametrize(
    ("phone", "email", "kept", "errors"),
    [
        ("+86 138-1234-5678", "", ("13812345678", ""), {}),
        ("", "Li@Example.CN", ("", "Li@example.cn"), {}),
        ("0527 1234 5678", "li@example.cn", ("0527-12345678", "li@example.cn"), {}),
        ("12345", "", None, {"phone": "请填写有效的电话号码"}),
        ("", "", None, {"phone": "请至少填写联系电话或电子邮箱中的一项"}),
        ("", "li@", None, {"email": "请填写有效的电子邮箱"}),
        ("12345", "li@", None, {"phone": "请填写有效的电话号码", "email": "请填写有效的电子邮箱"}),
    ],
)
def test_contact_fields(
    app: Flask, phone: str, email: str, kept: tuple[str, str] | None, errors: dict[str, str]
) -> None:
    with reading(app, ZH):
        form = ContactForm(MultiDict({"phone": phone, "email": email}))
        assert form.validate() is (kept is not None)
        if kept is not None:
            assert (form.phone.data, form.email.data) == kept
        assert {name: str(messages[0]) for name, messages in form.errors.items()}.keys() == errors.keys()
        for name, words in errors.items():
            assert words in str(form[name].errors[0])
