"""Korean banks by the providers' codes (PortOne's `Bank`), with the names people know them by."""

from django.utils.translation import gettext_lazy as _

BANKS = {
    "KOOKMIN": _("KB Kookmin Bank"),
    "SHINHAN": _("Shinhan Bank"),
    "WOORI": _("Woori Bank"),
    "HANA": _("Hana Bank"),
    "NONGHYUP": _("NH NongHyup Bank"),
    "IBK": _("IBK Industrial Bank"),
    "KAKAO": _("KakaoBank"),
    "TOSS": _("Toss Bank"),
    "K_BANK": _("K bank"),
    "SUHYUP": _("Suhyup Bank"),
    "BUSAN": _("Busan Bank"),
    "DAEGU": _("iM Bank (Daegu)"),
    "KWANGJU": _("Kwangju Bank"),
    "JEONBUK": _("Jeonbuk Bank"),
    "KYONGNAM": _("Kyongnam Bank"),
    "JEJU": _("Jeju Bank"),
    "STANDARD_CHARTERED": _("SC First Bank"),
    "CITI": _("Citibank Korea"),
    "KDB": _("KDB Korea Development Bank"),
    "KFCC": _("MG Saemaul Geumgo"),
    "SHINHYUP": _("Shinhyup"),
    "POST": _("Korea Post"),
}


def bank_name(code: str) -> str:
    return str(BANKS.get(code, code))


def bank_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in BANKS.items()]
