"""The page helpers every app's pages and portal use around a service call (trustplatform.pages)."""

import pytest
from django import forms
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import transaction
from django.test import RequestFactory

from tests.factories import PartnerFactory
from trustplatform.errors import Conflict, DomainError
from trustplatform.pages import page_action, refusal_shown
from trustplatform.partners.models import Partner


class AmountForm(forms.Form):
    amount_krw = forms.IntegerField()
    note = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def _shown(request) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in messages.get_messages(request)]


def _bound_form() -> AmountForm:
    form = AmountForm({"amount_krw": "5000"})
    assert form.is_valid()
    return form


def test_a_refusal_lands_on_the_form_with_its_field_errors():
    form = _bound_form()
    refusal = DomainError(
        "Check the amount.", code="too_much",
        fields={"amount_krw": ["At most ₩3,000."], "payee": ["Unknown payee."]},
    )
    with refusal_shown(form=form) as outcome:
        raise refusal
    assert outcome.error is refusal
    assert form.errors["amount_krw"] == ["At most ₩3,000."]
    # The sentence and the error of a field the form does not have go above the fields.
    assert form.non_field_errors() == ["Check the amount.", "Unknown payee."]


def test_a_refusal_can_be_put_under_one_field():
    form = _bound_form()
    with refusal_shown(form=form, field="amount_krw"):
        raise Conflict("Only ₩3,000 is available.", code="insufficient")
    assert form.errors["amount_krw"] == ["Only ₩3,000 is available."]
    assert not form.non_field_errors()


def test_the_block_runs_to_its_end_when_nothing_is_refused():
    form = _bound_form()
    with refusal_shown(form=form) as outcome:
        reached = True
    assert reached and outcome.error is None and form.is_valid()


@pytest.mark.django_db
def test_a_refused_call_inside_a_transaction_leaves_nothing_behind():
    form = _bound_form()
    with refusal_shown(form=form), transaction.atomic():
        PartnerFactory(name="반쯤 쓰인 파트너")
        raise DomainError("Refused after the first write.")
    assert not Partner.objects.filter(name="반쯤 쓰인 파트너").exists()
    assert form.non_field_errors() == ["Refused after the first write."]


def test_a_button_says_what_happened():
    request = _request()
    assert page_action(request, lambda: None, "완료했습니다.") is True
    assert _shown(request) == [("success", "완료했습니다.")]

    request = _request()

    def refuse():
        raise Conflict("이미 처리된 요청입니다.")

    assert page_action(request, refuse, "완료했습니다.") is False
    assert _shown(request) == [("error", "이미 처리된 요청입니다.")]


def test_other_errors_are_not_swallowed():
    with pytest.raises(ZeroDivisionError), refusal_shown(_request()):
        1 / 0  # noqa: B018 - the error is the point


def test_it_takes_a_request_or_a_form():
    with pytest.raises(TypeError):
        refusal_shown()
    with pytest.raises(TypeError):
        refusal_shown(_request(), form=_bound_form())
