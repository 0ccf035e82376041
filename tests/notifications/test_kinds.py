"""What a text is about reads in words for staff; the stored kind stays the code templates use."""

from django.utils import translation

from trustplatform.notifications.delivery import notice_kind
from trustplatform.notifications.kinds import KIND_WORDS, kind_words
from trustplatform.notifications.solapi import ALIMTALK_NOTICES


def test_every_kind_given_a_kakao_template_has_words():
    assert ALIMTALK_NOTICES <= KIND_WORDS.keys()


def test_a_kind_is_read_from_its_key_without_ids_and_shown_in_words():
    with translation.override("en"):
        assert kind_words(notice_kind("listings:strike:12:7")) == "Strike issued"
        assert kind_words(notice_kind("listings:badge:3:staff-grant:9:4")) == "Badge granted by staff"
        assert kind_words("something:new") == "something:new"
        assert kind_words("") == "—"
