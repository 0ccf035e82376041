"""Issue 13, item 12: schemathesis drives every operation of the OpenAPI schema, in-process through the WSGI
app, as a consumer and as a partner member; no answer may be a 5xx or break the schema.

The examples are bounded: fuzzing only (valid and invalid requests), MAX_EXAMPLES per operation and caller,
from a fixed seed, so that the run takes about a minute and a half on one core and finds the same things
every time. A little data is there to be read (a listing, a report on it, an agreement), so that lists
answer rows and not only empty pages.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from escrow.services.agreements import agreement_create, agreement_propose
from listings.services import listing_create, report_file
from tests.factories import MembershipFactory, PartnerFactory, VerifiedUserFactory
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory
from trustplatform.wsgi import application

MAX_EXAMPLES = 8

# Fuzzing only, from a fixed seed: the same cases every run, so a failure is a change of the code, not of
# luck. (The coverage phase sends every boundary of every field: minutes, not seconds.)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261206,
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _connection_kept():
    """The test's database connection (and its transaction) outlives each request, as with Django's client."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _world() -> dict:
    """A brokerage's published listing, a consumer's report on it, and an agreement the consumer pays into."""
    brokerage = BrokerageFactory()
    listing = listing_create(
        partner=brokerage,
        actor=brokerage.owner,
        publish=True,
        data=listing_data(),
    )
    consumer = VerifiedUserFactory()
    report_file(listing=listing, reporter=consumer, reason="price", details="보증금이 다릅니다")
    contractor = MembershipFactory(partner=PartnerFactory(kind="contractor"))
    agreement = agreement_create(
        created_by=contractor.user,
        payer=consumer,
        payee=contractor.partner,
        template="renovation",
        title="욕실 리모델링",
        amount_krw=20_000_000,
    )
    agreement_propose(agreement=agreement, actor=contractor.user)
    return {"consumer": consumer, "partner member": brokerage.owner}


@pytest.fixture(params=["consumer", "partner member"])
def token(request, db):
    return Token.objects.create(user=_world()[request.param]).key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_as_its_schema_says(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
