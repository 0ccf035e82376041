"""`{% load ui %}`: Korean money, dates and phone numbers in templates.

    {{ amount|won }}                 190,000원
    {{ deposit|eok }}                2억 5,000          {{ price|eok:"만" }}  11억 5,000만
    {% rent deposit monthly %}       100/30
    {{ fee|man }}                    7.5만 (관리비, rounded to 천)
    {{ date|day }}                   12월 10일 (목)       {{ date|day:"year" }} 2026년 12월 10일 (목)
    {{ moment|moment }}              12월 10일 (목) 15:00
    {{ number|phone }}               050-5100-0001
    {% phone_link number %}          <a href="tel:+825051000001">050-5100-0001</a>
    {% icon "shield" %}              an icon of static/icons/sprite.svg, hidden from screen readers
    {% icon "alert" _("Warning") %}  an icon that says something: role="img" with a title
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from .. import korean

register = template.Library()


@register.filter
def won(value) -> str:
    return korean.won(value)


@register.filter
def eok(value, suffix: str = "") -> str:
    return korean.eok_man(value, man_suffix=suffix == "만")


@register.filter
def man(value) -> str:
    return korean.man(value)


@register.simple_tag
def rent(deposit, monthly) -> str:
    return korean.rent(deposit, monthly)


@register.filter
def day(value, arg: str = "") -> str:
    return korean.day(value, with_year=arg == "year")


@register.filter
def moment(value, arg: str = "") -> str:
    return korean.moment(value, with_year=arg == "year")


@register.filter
def phone(value) -> str:
    return korean.phone(value)


@register.simple_tag
def phone_link(number, css_class: str = "phone"):
    """A number people can tap to call; plain text when it does not parse as a number."""
    target = korean.tel_target(number)
    if not target:
        return korean.phone(number)
    return format_html('<a class="{}" href="{}">{}</a>', css_class, target, korean.phone(number))


@register.simple_tag
def icon(name: str, label: str = "", css_class: str = ""):
    """An SVG icon from the sprite. Decorative (aria-hidden) unless `label` names what it means."""
    classes = f"icon icon--{name} {css_class}".strip()
    href = f"{static('icons/sprite.svg')}#{name}"
    if label:
        return format_html('<svg class="{}" role="img" aria-label="{}"><title>{}</title>'
                           '<use href="{}"></use></svg>', classes, label, label, href)
    return format_html('<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
                       classes, href)
