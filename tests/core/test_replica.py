"""Read-mostly pages read a real PostgreSQL streaming replica (trustplatform/dbrouter.py).

`scripts/services test` keeps a hot standby of the local server on REPLICA_PORT (5433). The test
database is made on the primary and streams there like everything else. Only these tests add the
"replica" alias: the test database's settings on the standby's port, reached as the primary is
(socket or 127.0.0.1), marked as a test mirror so that the test runner never creates or flushes
anything on it, and added after the database exists. Every other test runs with no replica, so
none of them reads a copy that may lag. Pausing the standby's replay makes it visibly behind, so
which server answered shows in the page itself. The tests share one process (xdist group): a
paused standby would stall another process's replica tests.
"""

import copy
import os
import socket
import time

import pytest
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bookings.models import Property
from listings import services as listing_services
from tests.bookings.factories import GuestFactory, PropertyFactory, RoomTypeFactory, stay_dates
from tests.listings.conftest import listing_data
from tests.listings.factories import BrokerageFactory
from trustplatform.dbrouter import REPLICA, replica_health_forget, replica_reads, replica_usable

REPLICA_PORT = os.environ.get("REPLICA_PORT", "5433")

pytestmark = [
    pytest.mark.xdist_group("replica"),
    pytest.mark.django_db(transaction=True, databases=["default", REPLICA]),
]


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    """The "replica" alias, there before each test's database setup (which checks its aliases): the
    test database's settings on the standby's port, a test mirror of the primary so that the test
    runner never flushes it (the primary's flush streams to it)."""
    primary = copy.deepcopy(connections["default"].settings_dict)
    mirror = {**primary["TEST"], "MIRROR": "default"}
    connections.settings[REPLICA] = {**primary, "PORT": REPLICA_PORT, "TEST": mirror}
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
    replica_health_forget()


@pytest.fixture
def replica(replica_alias, settings):
    """The real standby, replaying (a run that crashed may have left it paused), checked afresh."""
    settings.REPLICA_MAX_LAG_SECONDS = 600  # some tests pause the standby on purpose
    replica_health_forget()
    assert _scalar(REPLICA, "SELECT pg_is_in_recovery()") is True, f"port {REPLICA_PORT} is not a standby"
    _run(REPLICA, "SELECT pg_wal_replay_resume()")
    yield
    _replica_moved_to(REPLICA_PORT)
    _run(REPLICA, "SELECT pg_wal_replay_resume()")
    connections[REPLICA].close()
    replica_health_forget()


def _replica_moved_to(port: str) -> None:
    connections[REPLICA].close()
    connections.settings[REPLICA]["PORT"] = port  # the connection's own settings_dict


def _scalar(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _run(alias: str, sql: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)


def _caught_up(timeout_s: float = 20) -> None:
    """Wait until the standby has replayed everything the primary has committed so far."""
    position = _scalar("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + timeout_s
    while not _scalar(REPLICA, f"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn"):
        assert time.monotonic() < deadline, "the replica did not catch up with the primary"
        time.sleep(0.05)


def _pause_replay() -> None:
    _run(REPLICA, "SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 20
    while _scalar(REPLICA, "SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "the replica did not pause"
        time.sleep(0.05)


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def _touches(queries, table: str) -> bool:
    return any(table in query["sql"] for query in queries)


def _stay_query() -> dict:
    check_in, check_out = stay_dates(3, 2)
    return {"place": "haeundae", "check_in": check_in, "check_out": check_out, "guests": 2}


def test_the_stays_search_page_is_served_from_the_replica(client, replica):
    room_type = RoomTypeFactory(property=PropertyFactory(name="오션 스테이"), price_krw=95_000)
    _caught_up()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica, CaptureQueriesContext(
        connections["default"]
    ) as on_primary:
        page = client.get("/stays/", _stay_query())
    assert page.status_code == 200 and f'data-property="{room_type.property_id}"' in page.content.decode()
    assert _touches(on_replica, "bookings_night") and not _touches(on_primary, "bookings_night")
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        api = client.get("/api/v1/bookings/search/", {**_stay_query(), "lat": 35.1587, "lng": 129.1604})
    assert room_type.property_id in [row["property_id"] for row in api.json()]
    assert _touches(on_replica, "bookings_night")


def test_a_broker_reads_their_own_change_from_the_primary_while_others_may_read_the_replica(
    client, replica, settings
):
    brokerage = BrokerageFactory()
    broker = brokerage.memberships.get().user
    listing = listing_services.listing_create(
        partner=brokerage, actor=broker, data=listing_data(title="서교동 투룸"), publish=True
    )
    _caught_up()
    _pause_replay()  # the standby is now behind: whatever it serves is the old title

    client.force_login(broker)
    edited = client.post(f"/portal/listings/{listing.pk}/edit/", listing_data(title="서교동 투룸 리모델링"))
    assert edited.status_code == 302

    anonymous = Client()  # reads the standby, which has not replayed the change: the old title
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        seen = anonymous.get(f"/homes/{listing.pk}/").content.decode()
        searched = anonymous.get("/homes/", {"region": "1144000000"}).content.decode()
    assert "서교동 투룸" in seen and "리모델링" not in seen
    assert f'data-listing="{listing.pk}"' in searched and "리모델링" not in searched
    assert _touches(on_replica, "listings_listing")

    # The broker's own reads stay on the primary; their search skips the page cached just now.
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        own = client.get(f"/homes/{listing.pk}/").content.decode()
        own_search = client.get("/homes/", {"region": "1144000000"}).content.decode()
    assert "서교동 투룸 리모델링" in own and "서교동 투룸 리모델링" in own_search
    assert not _touches(on_replica, "listings_listing")

    # The pin lasts REPLICA_PIN_SECONDS; after it the broker's reads may go to the replica again.
    settings.REPLICA_PIN_SECONDS = 1
    client.post(f"/portal/listings/{listing.pk}/edit/", listing_data(title="서교동 투룸 리모델링"))
    time.sleep(1.5)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        client.get(f"/homes/{listing.pk}/")
    assert _touches(on_replica, "listings_listing")


def test_an_api_client_without_cookies_is_pinned_by_its_account(replica):
    brokerage = BrokerageFactory()
    broker = brokerage.memberships.get().user
    listing = listing_services.listing_create(
        partner=brokerage, actor=broker, data=listing_data(title="서교동 투룸"), publish=True
    )
    token = Token.objects.create(user=broker)
    _caught_up()
    _pause_replay()
    writer = APIClient()
    writer.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    changed = writer.patch(
        f"/api/v1/listings/partner/listings/{listing.pk}/", {"title": "서교동 투룸 리모델링"}, format="json"
    )
    assert changed.status_code == 200
    reader = APIClient()  # another device: no pin cookie, the same account
    reader.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert reader.get(f"/api/v1/listings/{listing.pk}/").json()["title"] == "서교동 투룸 리모델링"
    assert APIClient().get(f"/api/v1/listings/{listing.pk}/").json()["title"] == "서교동 투룸"


def test_a_person_s_own_pages_never_read_the_replica(client, replica):
    guest = GuestFactory()
    RoomTypeFactory()
    _caught_up()
    client.force_login(guest)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        assert client.get("/stays/bookings/").status_code == 200
        assert client.get("/homes/my-reports/").status_code == 200
    assert on_replica.captured_queries == []


def test_a_replica_that_is_down_leaves_the_page_to_the_primary(client, replica):
    room_type = RoomTypeFactory()
    _replica_moved_to(_free_port())  # nothing listens there
    with CaptureQueriesContext(connections["default"]) as on_primary:
        page = client.get("/stays/", _stay_query())
    assert page.status_code == 200 and f'data-property="{room_type.property_id}"' in page.content.decode()
    assert _touches(on_primary, "bookings_night")


def test_a_replica_lagging_too_far_leaves_the_page_to_the_primary(client, replica, settings):
    brokerage = BrokerageFactory()
    listing = listing_services.listing_create(
        partner=brokerage, actor=brokerage.owner, data=listing_data(title="서교동 투룸"), publish=True
    )
    _caught_up()
    _pause_replay()
    listing_services.listing_update(
        listing=listing, actor=brokerage.owner, data=listing_data(title="서교동 투룸 리모델링")
    )
    deadline = time.monotonic() + 20
    while not _scalar(REPLICA, "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"):
        assert time.monotonic() < deadline, "the replica did not receive the change"
        time.sleep(0.05)
    settings.REPLICA_MAX_LAG_SECONDS = 0  # received, not replayed: behind by more than nothing
    replica_health_forget()
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = client.get(f"/homes/{listing.pk}/").content.decode()
    assert "서교동 투룸 리모델링" in page and not _touches(on_replica, "listings_listing")


def test_a_replica_failing_mid_request_is_replaced_by_the_primary(client, replica):
    room_type = RoomTypeFactory()
    _caught_up()
    assert replica_usable()  # checked and cached as healthy...
    _replica_moved_to(_free_port())  # ...then it goes away before the search
    with CaptureQueriesContext(connections["default"]) as on_primary:
        page = client.get("/stays/", _stay_query())
    assert page.status_code == 200 and f'data-property="{room_type.property_id}"' in page.content.decode()
    assert _touches(on_primary, "bookings_night")
    assert not replica_usable()  # marked down until the next check


def test_the_router_never_sends_a_write_to_the_replica(replica):
    prop = PropertyFactory(name="오션 스테이")
    _caught_up()
    with replica_reads():
        from_replica = Property.objects.get(pk=prop.pk)
        assert from_replica._state.db == REPLICA
        from_replica.name = "오션 스테이 2"
        from_replica.save(update_fields=["name"])
        created = PropertyFactory(name="새 호텔")
        assert router.db_for_write(Property, instance=from_replica) == "default"
        with transaction.atomic():
            # Inside a transaction a read must see the transaction's own writes.
            assert router.db_for_read(Property) == "default"
    assert Property.objects.using("default").get(pk=prop.pk).name == "오션 스테이 2"
    assert created._state.db == "default"
    assert router.allow_migrate(REPLICA, "bookings") is False
    assert router.allow_migrate("default", "bookings") is True
