import itertools

import pytest

from trustplatform.ledger import services
from trustplatform.ledger.models import LedgerAccount

_codes = itertools.count()


@pytest.fixture
def make_account(db):
    def make(*, allow_negative: bool = False, kind: str = LedgerAccount.Kind.CONSUMER) -> LedgerAccount:
        number = next(_codes)
        return services.account_open(
            code=f"test-{kind}-{number}",
            name=f"Test account {number}",
            kind=kind,
            allow_negative=allow_negative,
        )

    return make


@pytest.fixture
def outside(make_account):
    """Money from outside the platform (a PSP): may go negative."""
    return make_account(allow_negative=True, kind=LedgerAccount.Kind.EXTERNAL)
