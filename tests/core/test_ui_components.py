"""The shared page components (trustplatform/ui/templates/ui/): what each shows a person."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_a_gallery_gives_every_photo_alt_text():
    photos = [{"url": "/media/a.jpg", "alt": "바다가 보이는 객실"},
              {"url": "/media/b.jpg", "caption": "욕실"}, {"url": "/media/c.jpg"}]
    html = render('{% include "ui/gallery.html" with photos=photos label="해운대 호텔" %}', photos=photos)
    assert 'alt="바다가 보이는 객실"' in html and 'alt="욕실"' in html
    assert 'alt="해운대 호텔 3"' in html  # a photo without words of its own is named after the place
    assert 'class="gallery" role="region" tabindex="0"' in html  # the strip scrolls by keyboard too


def test_a_gallery_without_photos_says_so():
    with translation.override("ko"):
        html = render('{% include "ui/gallery.html" with photos=None label="해운대 호텔" %}')
        assert gettext("No photos yet") in html
    assert 'class="empty"' in html and "<img" not in html


def test_steps_mark_the_done_and_the_current_one():
    steps = [{"label": "입금", "state": "done", "when": dt.datetime(2026, 12, 9, 15, 30, tzinfo=dt.UTC)},
             {"label": "보관 중", "state": "current"}, {"label": "지급", "state": ""}]
    with translation.override("ko"):
        html = render('{% include "ui/steps.html" with steps=steps label="진행 단계" %}', steps=steps)
    assert html.count("<li") == 3
    assert '<li class="done">' in html and '<li class="current" aria-current="step">' in html
    assert "12월 10일 (목) 00:30" in html  # when a step happened, in Korea's time


def test_money_shows_the_amount_in_the_korean_form_it_asks_for():
    with translation.override("ko"):
        won = render('{% include "ui/money.html" with amount=190000 label="환불 예정 금액" %}')
        eok = render('{% include "ui/money.html" with amount=1150000000 label="매매가" unit="eok_man" %}')
    assert "환불 예정 금액" in won and "190,000원" in won
    assert "11억 5,000만" in eok


def test_a_card_with_a_link_and_a_photo():
    html = render('{% include "ui/card.html" with title="해운대 호텔" href="/stays/1/" image="/media/a.jpg" '
                  'image_alt="" price="190,000원" badge="안심 예약제" badge_kind="ok" %}')
    assert '<a href="/stays/1/">해운대 호텔</a>' in html
    assert 'class="card__media"><img src="/media/a.jpg" alt=""' in html
    assert 'class="badge badge--ok"' in html and "190,000원" in html


def test_an_empty_state_offers_the_next_step():
    html = render('{% include "ui/empty.html" with title="아직 예약이 없어요" icon="bed" '
                  'action_href="/stays/" action_label="숙소 찾기" %}')
    assert "아직 예약이 없어요" in html and 'href="/stays/"' in html and "sprite.svg#bed" in html
