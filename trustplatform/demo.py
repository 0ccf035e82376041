"""Demo data for the core: people, partner businesses of every kind, staff of every group.

Idempotent: records are found by their natural keys and brought back to the demo state.
"""

from django.contrib.auth.models import Group

from trustplatform import pii
from trustplatform.accounts.models import User
from trustplatform.ledger import demo as ledger_demo
from trustplatform.partners.models import Membership, Partner

DEMO_PASSWORD = "ansim-demo-2026"

CONSUMERS = [
    ("consumer@demo.ansim.kr", "김민지", "+821023456789"),
    ("consumer2@demo.ansim.kr", "이준호", "+821034567890"),
]

# (kind, business name, registration number, owner email, owner name, address)
PARTNERS = [
    ("lodging", "해운대 오션뷰 호텔", "1248100998", "lodging@demo.ansim.kr", "박서연",
     "부산광역시 해운대구 해운대해변로 264"),
    ("brokerage", "마포 믿음 공인중개사사무소", "2208162517", "broker@demo.ansim.kr", "최도윤",
     "서울특별시 마포구 월드컵북로 56"),
    ("landlord", "성수 하우스 임대", "1078155843", "landlord@demo.ansim.kr", "정하은",
     "서울특별시 성동구 성수이로 113"),
    ("contractor", "바른손 인테리어", "1018100340", "contractor@demo.ansim.kr", "강지훈",
     "경기도 성남시 분당구 판교역로 166"),
    ("delivery", "번개 배송", "1208147521", "delivery@demo.ansim.kr", "윤서준",
     "서울특별시 강남구 테헤란로 231"),
    ("restaurant", "전주 한옥 비빔밥", "2148705643", "restaurant@demo.ansim.kr", "임수아",
     "전북특별자치도 전주시 완산구 태조로 44"),
]

STAFF = [
    ("admin@demo.ansim.kr", "관리자", None),
    ("agent@demo.ansim.kr", "상담원 한지민", "agents"),
    ("inspector@demo.ansim.kr", "현장조사관 오세훈", "inspectors"),
    ("finance@demo.ansim.kr", "재무 담당 서유진", "finance"),
    # A second finance person: guarantee fund top-ups above the threshold need two.
    ("finance2@demo.ansim.kr", "재무 팀장 문가영", "finance"),
]


def _user(email: str, name: str, phone: str | None = None, **flags) -> User:
    user, _created = User.objects.get_or_create(email=email, defaults={"full_name": name})
    user.full_name = name
    for key, value in flags.items():
        setattr(user, key, value)
    user.set_password(DEMO_PASSWORD)
    if phone:
        user.phone, user.phone_index, user.phone_hint = phone, pii.blind_index(phone), pii.mask_phone(phone)
        if user.phone_verified_at is None:
            from django.utils import timezone

            user.phone_verified_at = timezone.now()
    user.save()
    return user


def seed() -> list[tuple[str, str]]:
    """Create or refresh the core demo records; returns (role, email) logins to print."""
    logins = []
    for email, name, phone in CONSUMERS:
        _user(email, name, phone)
        logins.append(("consumer", email))
    for index, (kind, name, brn, email, owner_name, address) in enumerate(PARTNERS):
        owner = _user(email, owner_name, f"+8210555{index:05d}"[:13])
        partner = (Partner.objects.filter(registration_number=brn)
                   .exclude(status=Partner.Status.REJECTED).first())
        if partner is None:
            partner = Partner.objects.create(
                name=name, kind=kind, registration_number=brn, representative=owner_name,
                contact_email=email, address=address, applied_by=owner, status=Partner.Status.APPROVED,
            )
        Membership.objects.get_or_create(user=owner, partner=partner,
                                         defaults={"role": Membership.Role.OWNER})
        logins.append((f"partner owner ({kind})", email))
    for email, name, group in STAFF:
        user = _user(email, name, is_staff=True, is_superuser=group is None)
        if group:
            user.groups.add(Group.objects.get(name=group))
        logins.append((f"staff ({group or 'superuser'})", email))
    # The guarantee fund every app pays from: capital in, topped up by finance.
    ledger_demo.seed()
    return logins
