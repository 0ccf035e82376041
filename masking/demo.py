"""Demo data for safe numbers: a pool of 050 numbers and a few open sessions between the demo people.

Idempotent: numbers are found by value; a demo session is opened again only when the last one
with its reference has ended.
"""

from datetime import timedelta

from django.utils import timezone

from trustplatform.accounts.models import User
from trustplatform.partners.models import Membership, Partner

from . import services
from .models import MaskedSession, ProxyNumber

POOL = [f"+82505100{n:04d}" for n in range(1, 21)]  # 050-5100-0001 … 0020

# (reference, partner kind, consumer email, business label, business phone or None for the owner's, hours)
SESSIONS = [
    ("demo-order-1001", "restaurant", "consumer@demo.ansim.kr", "전주 한옥 비빔밥", None, 3),
    ("demo-delivery-1001", "delivery", "consumer@demo.ansim.kr", "배달 기사 김철수", "+821077700001", 3),
    ("demo-stay-2001", "lodging", "consumer2@demo.ansim.kr", "해운대 오션뷰 호텔", None, 24),
]


def seed() -> list[tuple[str, str]]:
    for e164 in POOL:
        ProxyNumber.objects.get_or_create(e164=e164, defaults={"note": "데모용 번호"})
    now = timezone.now()
    for reference, kind, email, label, phone, hours in SESSIONS:
        partner = Partner.objects.filter(kind=kind, status=Partner.Status.APPROVED).order_by("pk").first()
        consumer = User.objects.filter(email=email).first()
        if partner is None or consumer is None or not consumer.phone:
            continue
        if MaskedSession.objects.filter(partner=partner, subject_id=reference,
                                        status=MaskedSession.Status.OPEN, expires_at__gt=now).exists():
            continue
        owner = (Membership.objects.filter(partner=partner, role=Membership.Role.OWNER)
                 .select_related("user").first())
        business_phone = phone or (owner.user.phone if owner else "")
        if not business_phone:
            continue
        services.session_open(
            partner=partner, reference=reference, expires_at=now + timedelta(hours=hours),
            consumer=services.Party(phone=consumer.phone, label="고객", user=consumer),
            business=services.Party(phone=business_phone, label=label))
    return []
