"""Short words shared with other apps carry a context, so Korean reads right on listings pages."""

from django.template import Context, Template
from django.utils import translation

from listings.forms import ListingForm
from listings.models import Verification


def test_ambiguous_words_translate_in_their_listings_sense():
    with translation.override("ko"):
        assert str(Verification.Status.CONFIRMED.label) == "확인됨"
        assert str(Verification.Status.REQUESTED.label) == "요청됨"
        assert str(ListingForm.base_fields["rooms"].label) == "방 수"
        rendered = Template(
            '{% load i18n %}{% translate "Sale" context "deal type" %}|{% translate "Rooms" context "home" %}'
        ).render(Context())
        assert rendered == "매매|방 수"
