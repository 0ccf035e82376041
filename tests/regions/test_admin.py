"""A region's stored source (which list or change last said it) reads in words in the admin."""

from django.utils import translation

from trustplatform.regions.admin import source_words


def test_a_change_a_list_and_an_unknown_source_read_in_words():
    with translation.override("en"):
        words = source_words("change 2024-01-18: 전북특별자치도")
        assert words == "Change of Thu, Jan 18, 2024: 전북특별자치도"
        assert source_words("list 2020-10-04") == "Official list as of Sun, Oct 4, 2020"
        assert source_words("not in list 2020-10-04") == "Not in the official list as of Sun, Oct 4, 2020"
        assert source_words("hand-made") == "hand-made"
