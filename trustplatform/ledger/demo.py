"""The guarantee fund's demo history, made through the treasury services as finance would make it:
capital paid in from the bank, two top-ups approved by a second finance person and executed, and one
waiting for its approval. Safe to run again: capital by its bank reference, top-ups by their reason."""

from trustplatform.accounts.models import User

from . import treasury
from .models import FundTopUp
from .services import transfer_done

FINANCE = "finance@demo.ansim.kr"
SECOND_FINANCE = "finance2@demo.ansim.kr"
CAPITAL_KRW = 700_000_000
# (reason, amount, requested by, approved by, executed)
TOP_UPS = [
    ("보증금 안심거래 보증 재원 (리모델링 3대 사고 보상)", 500_000_000, FINANCE, SECOND_FINANCE, True),
    ("안심 예약제 보장 재원 (대체 숙소 차액·보상금)", 100_000_000, SECOND_FINANCE, FINANCE, True),
    ("성수기 대비 추가 적립", 30_000_000, FINANCE, None, False),
]


def _topup(reason: str, amount_krw: int, requested_by: User, approved_by: User | None, execute: bool) -> None:
    topup = FundTopUp.objects.filter(reason=reason).first() or treasury.fund_topup_request(
        actor=requested_by, amount_krw=amount_krw, reason=reason
    )
    if approved_by is not None and topup.status == FundTopUp.Status.REQUESTED:
        topup = treasury.fund_topup_approve(topup=topup, actor=approved_by)
    if execute:
        treasury.fund_topup_execute(topup=topup, actor=requested_by)


def seed() -> None:
    finance = {email: User.objects.get(email=email) for email in (FINANCE, SECOND_FINANCE)}
    # A demo database seeded before the reference was written in Korean holds the capital under the old one.
    if not transfer_done("capital:DEMO-자본금-2026-001"):
        treasury.capital_record(
            actor=finance[FINANCE],
            amount_krw=CAPITAL_KRW,
            reference="데모-자본금-2026-001",
            reason="설립 자본금 납입 (데모)",
        )
    for reason, amount_krw, requested_by, approved_by, execute in TOP_UPS:
        _topup(reason, amount_krw, finance[requested_by], finance.get(approved_by), execute)
