"""Listings: risk scoring, campaign selection and search over 1,000,000 listings.

- `listings.rescore_s`: seconds for the nightly `listings_rescore()` (set-based SQL) over every live listing.
- `listings.campaign_select_s`: seconds to open a campaign (rank areas, select by risk with a random
  sample and a broker cap, queue the inspections), rolled back so the next run measures the same.
- `listings.precision_at_capacity`: the share of fakes among the top-ranked listings at inspector
  capacity, on the generated set where 2 % of live listings are planted fakes: most carry one or more
  signals (bait price, photo copied from another brokerage, reports, a young brokerage) and some carry
  none. Random picks give the planted share (about 0.02), printed as the anchor.
- `listings.search_p95_ms`: p95 of the consumer search page (/homes/?district, deal, price range,
  several pages) at a fixed 50 requests/s through gunicorn.

The data is made once per bench database with SQL generate_series (no ORM row by row) and kept; a
marker row says it is complete. Like bench/escrow.py this file is also the Django-side driver:
`python bench/listings.py <command> '<json>'` prints one `LISTINGS_RESULT <json>` line.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

REQUIRES = ()  # goals are absolute; the precision anchor (random picks) is computed here

LISTINGS = 1_000_000
FAKE_SHARE = 0.02
BROKERS = 2_000
REPORTERS = 5_000
CAPACITY = 2_000  # inspections a month: 50 inspectors x 40
WIDE_QUEUE = 10_000  # also reported: precision deep into the ranking
SEARCH_RATE = 50
SEARCH_DURATION_S = 30
RESULT_TAG = "LISTINGS_RESULT "
MARKER = f"listings-{LISTINGS}-v3"
ROOT = Path(__file__).resolve().parent.parent

# 시/군/구 of the region catalogue (trustplatform/regions), searched by ?sigungu=; the areas sit inside them.
SIGUNGU = [
    "11110",
    "11140",
    "11170",
    "11200",
    "11215",
    "11410",
    "11440",
    "11560",
    "11620",
    "11650",
    "11680",
    "11710",
    "26350",
    "41135",
]
DONGS_PER_SIGUNGU = 60


def _log(message: str) -> None:
    print(f"bench: listings: {message}", file=sys.stderr, flush=True)


# =========================================================================================================
# Harness side
# =========================================================================================================


def _driver(ctx, command: str, args: dict, timeout_s: float) -> dict:
    cmd = [ctx.python, str(Path(__file__).resolve()), command, json.dumps(args)]
    try:
        done = subprocess.run(
            cmd, cwd=ctx.root, env=ctx.env, stdout=subprocess.PIPE, stderr=None, text=True, timeout=timeout_s
        )
    except subprocess.TimeoutExpired as exc:
        raise ctx.Error(f"`listings.py {command}` took more than {timeout_s:.0f} s") from exc
    results = [line[len(RESULT_TAG) :] for line in done.stdout.splitlines() if line.startswith(RESULT_TAG)]
    if done.returncode != 0 or not results:
        ctx.fail(f"`listings.py {command}` failed ({done.returncode}); its output:\n{done.stdout[-3000:]}")
    result = json.loads(results[-1])
    if result.get("error"):
        ctx.fail(f"`listings.py {command}`: {result['error']}")
    return result


def _search_paths(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    paths = []
    for _ in range(count):
        deal = rng.choice(["monthly", "monthly", "jeonse", "sale"])
        # Price bounds in 만원, as people type them: a wide and a narrow band around typical prices.
        top = {
            "monthly": rng.choice([1000, 2000, 5000]),
            "jeonse": rng.choice([20000, 40000, 60000]),
            "sale": rng.choice([50000, 100000, 150000]),
        }[deal]
        query = f"sigungu={rng.choice(SIGUNGU)}&deal_type={deal}&price_max={top}"
        if rng.random() < 0.3:
            query += f"&price_min={top // 4}"
        if rng.random() < 0.2:
            query += f"&size_min={rng.choice([20, 33, 60])}"
        if rng.random() < 0.2:
            query += f"&page={rng.randint(2, 5)}"
        paths.append(f"/homes/?{query}")
    return paths


def _fixed_rate(ctx, base_url: str, paths: list[str], rate: float):
    """ctx.fixed_rate over `paths`, one GET each, at `rate` per second."""
    return ctx.fixed_rate(base_url, rate, len(paths) / rate,
                          request_for=lambda i: ("GET", paths[i], None, None))


def run(ctx) -> None:
    ctx.ensure_database()
    generated = _driver(ctx, "generate", {}, timeout_s=3600)
    _log(f"data: {generated}")
    # Search first: the rescore's million-row upsert leaves vacuum work that would be measured too.
    server = ctx.server
    _driver(ctx, "search_cold", {}, timeout_s=60)  # no page cached by an earlier run
    paths = _search_paths(SEARCH_RATE * SEARCH_DURATION_S)
    _fixed_rate(ctx, server.url("/"), _search_paths(100, seed=3), SEARCH_RATE)  # warm the workers
    result = _fixed_rate(ctx, server.url("/"), paths, SEARCH_RATE)
    p95, errors = result.p95, result.errors
    ctx.figure(
        "listings",
        "search_p95_ms",
        p95,
        "ms",
        "<=150",
        f"GET /homes/ (district, deal type, price range, size, pages 1-5) at {SEARCH_RATE}/s for "
        f"{SEARCH_DURATION_S} s over {generated['listings']:,} listings, result cache off; "
        f"{errors} errors of {len(paths)}",
    )
    search_errors = errors
    rescore = _driver(ctx, "rescore", {}, timeout_s=1800)
    ctx.figure(
        "listings",
        "rescore_s",
        rescore["seconds"],
        "s",
        "<=900",
        f"listings_rescore() over {rescore['scored']:,} live listings of {generated['listings']:,} "
        f"(7 components, medians and MADs by percentile_cont, photo bands, one upsert)",
    )
    campaign = _driver(ctx, "campaign", {"capacity": CAPACITY}, timeout_s=600)
    ctx.figure(
        "listings",
        "campaign_select_s",
        campaign["seconds"],
        "s",
        "<=10",
        f"campaign_open() over {generated['listings']:,} listings: {campaign['areas']} areas, "
        f"{campaign['selected']} inspections queued (capacity {CAPACITY}), rolled back",
    )
    precision = _driver(ctx, "precision", {"capacity": CAPACITY}, timeout_s=600)
    ctx.figure(
        "listings",
        "precision_at_capacity",
        precision["precision"],
        "share",
        ">=0.6",
        f"fakes among the top {CAPACITY} by risk; random picks give {precision['base_rate']:.3f} "
        f"({precision['fakes']:,} planted fakes in {precision['live']:,} live listings, "
        f"{precision['without_signal']:,} of them with no signal; genuine bargains, co-brokered photos and "
        f"false reports as noise); in the top {WIDE_QUEUE:,}: {precision['wide']:.2f}",
    )
    if search_errors:
        ctx.fail(f"{search_errors} search requests failed")


# =========================================================================================================
# Driver side (Django, bench database)
# =========================================================================================================


def _django_setup() -> None:
    here = Path(__file__).resolve().parent
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != here]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
    import django

    django.setup()


GENERATE_SQL = [
    "SELECT setseed(0.2026)",
    # Reporters and the account that created the bench listings.
    """INSERT INTO accounts_user (password, is_superuser, email, full_name, phone, phone_index, phone_hint,
                                  is_staff, is_active, date_joined)
       SELECT '!', false, 'bench-ls-' || g || '@bench.ansim.kr', '벤치 ' || g, '', '', '', false, true, now()
       FROM generate_series(0, %(reporters)s) g""",
    # Brokerages: one in ten approved in the last 60 days (young).
    """INSERT INTO partners_partner (name, kind, registration_number, representative, contact_email, address,
                                     status, created_at, decided_at, decision_note, applied_by_id)
       SELECT 'bench-ls-broker-' || g, 'brokerage', (9100000000 + g)::text, '대표',
              'b' || g || '@bench.ansim.kr',
              '서울', 'approved', now() - interval '3 years',
              CASE WHEN g %% 10 = 0 THEN now() - random() * interval '60 days'
                   ELSE now() - interval '200 days' - random() * interval '1500 days' END, '',
              (SELECT id FROM accounts_user WHERE email = 'bench-ls-0@bench.ansim.kr')
       FROM generate_series(1, %(brokers)s) g""",
    """CREATE TEMP TABLE bench_brokers AS
       SELECT row_number() OVER (ORDER BY id) AS idx, id, decided_at > now() - interval '90 days' AS young
       FROM partners_partner WHERE name LIKE 'bench-ls-broker-%%'""",
    """CREATE TEMP TABLE bench_sigungu AS
       SELECT ordinality AS idx, code, 0.6 + (ordinality %% 7) * 0.15 AS factor
       FROM unnest(%(sigungu)s::text[]) WITH ORDINALITY AS code""",
    # Listings: log-normal prices around each district's level, sizes 15-150 m², 3 % closed deals.
    """INSERT INTO listings_listing (title, address, unit, sido_code, sigungu_code, dong_code, deal_type,
                                     deposit_krw, monthly_rent_krw, price_krw, size_m2, floor, rooms,
                                     description,
                                     status, archive_reason, verification_level, verification_expires_at,
                                     created_at, updated_at, published_at, refreshed_at, closed_at,
                                     created_by_id, partner_id)
       SELECT '매물 ' || g, '주소 ' || g, '', left(s.code, 2), s.code,
              s.code || lpad((100 + x.dong * 5)::text, 3, '0') || '00', x.deal,
              CASE x.deal WHEN 'sale' THEN 0
                   WHEN 'jeonse' THEN round((x.size * 6000000 * s.factor * x.noise)::numeric, -5)
                   ELSE (ARRAY[5000000, 10000000, 20000000, 30000000])[1 + floor(x.r1 * 4)] END,
              CASE x.deal WHEN 'monthly' THEN round((x.size * 25000 * s.factor * x.noise)::numeric, -4)
                   ELSE 0 END,
              CASE x.deal WHEN 'sale' THEN round((x.size * 12000000 * s.factor * x.noise)::numeric, -5)
                   ELSE 0 END,
              round(x.size::numeric, 2), 1 + floor(x.r2 * 20), 1 + floor(x.r3 * 4), '',
              CASE WHEN x.r4 < 0.03 THEN 'archived' WHEN x.level > 0 THEN 'verified' ELSE 'published' END,
              CASE WHEN x.r4 < 0.03 THEN 'deal_closed' ELSE '' END,
              CASE WHEN x.r4 < 0.03 THEN 0 ELSE x.level END,
              CASE WHEN x.level > 0 THEN now() + interval '20 days' END,
              x.published, x.published, x.published, now() - x.r5 * interval '90 days',
              CASE WHEN x.r4 < 0.03 THEN now() - x.r5 * interval '80 days' END,
              (SELECT id FROM accounts_user WHERE email = 'bench-ls-0@bench.ansim.kr'), b.id
       FROM (SELECT g, 1 + floor(random() * %(districts)s)::int AS district,
                    floor(random() * %(dongs)s)::int AS dong,
                    (ARRAY['monthly', 'monthly', 'jeonse', 'sale'])[1 + floor(random() * 4)] AS deal,
                    15 + random() * 135 AS size,
                    exp(0.25 * sqrt(-2 * ln(greatest(random(), 1e-12))) * cos(2 * pi() * random())) AS noise,
                    random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                    CASE WHEN random() < 0.55 THEN 0 ELSE 1 + floor(random() * 4)::int END AS level,
                    now() - random() * interval '120 days' AS published,
                    1 + floor(random() * %(brokers)s)::int AS broker
             FROM generate_series(1, %(listings)s) g) x
       JOIN bench_sigungu s ON s.idx = x.district
       JOIN bench_brokers b ON b.idx = x.broker""",
    # One photo each, with a random 64-bit hash and its four 16-bit bands.
    """INSERT INTO listings_listingphoto (image, position, dhash, band0, band1, band2, band3, width, height,
                                          size_bytes, uploaded_at, listing_id, partner_id)
       SELECT 'bench/photo.jpg', 0, h.v, h.v & 65535, (h.v >> 16) & 65535, (h.v >> 32) & 65535,
              (h.v >> 48) & 65535, 640, 480, 50000, l.published_at, l.id, l.partner_id
       FROM (SELECT id, published_at, partner_id FROM listings_listing
             WHERE partner_id IN (SELECT id FROM bench_brokers)) l,
       LATERAL (SELECT ((floor(random() * 4294967296)::bigint - 2147483648) << 32)
                       | floor(random() * 4294967296)::bigint + 0 * l.id AS v) h""",
    # The planted fakes: 2 % of live listings; 15 % of them carry no signal, the rest one or more.
    """CREATE TABLE bench_ls_truth AS
       SELECT id, r < 0.15 AS silent,
              r >= 0.15 AND random() < 0.5 AS bait, r >= 0.15 AND random() < 0.4 AS copied,
              r >= 0.15 AND random() < 0.4 AS reported, r >= 0.15 AND random() < 0.3 AS young
       FROM (SELECT id, random() AS r
             FROM (SELECT id FROM listings_listing
                   WHERE status IN ('published', 'verified') AND partner_id IN (SELECT id FROM bench_brokers)
                   ORDER BY random() LIMIT %(fakes)s) picked) f""",
    "UPDATE bench_ls_truth SET bait = true WHERE NOT silent AND NOT (bait OR copied OR reported OR young)",
    "ALTER TABLE bench_ls_truth ADD PRIMARY KEY (id)",
    # Fakes avoid verification, except the silent ones, which look like everyone else.
    """UPDATE listings_listing l
       SET verification_level = 0, verification_expires_at = NULL, status = 'published'
       FROM bench_ls_truth t WHERE t.id = l.id AND NOT t.silent""",
    # Bait prices 30-65 % below the going rate; genuine bargains (basements, old buildings) exist too.
    """UPDATE listings_listing l SET
         deposit_krw = round(deposit_krw * (0.35 + random() * 0.35)::numeric, -5),
         monthly_rent_krw = round(monthly_rent_krw * (0.35 + random() * 0.35)::numeric, -4),
         price_krw = round(price_krw * (0.35 + random() * 0.35)::numeric, -5)
       FROM bench_ls_truth t WHERE t.id = l.id AND t.bait""",
    """UPDATE listings_listing l SET
         deposit_krw = round(deposit_krw * (0.45 + random() * 0.3)::numeric, -5),
         monthly_rent_krw = round(monthly_rent_krw * (0.45 + random() * 0.3)::numeric, -4),
         price_krw = round(price_krw * (0.45 + random() * 0.3)::numeric, -5)
       WHERE l.status IN ('published', 'verified') AND l.partner_id IN (SELECT id FROM bench_brokers)
         AND l.id NOT IN (SELECT id FROM bench_ls_truth) AND random() < 0.015""",
    """UPDATE listings_listing l SET partner_id = (SELECT id FROM bench_brokers WHERE young
                                                  ORDER BY id OFFSET (l.id %% 150) LIMIT 1)
       FROM bench_ls_truth t WHERE t.id = l.id AND t.young""",
    """UPDATE listings_listingphoto p SET partner_id = l.partner_id FROM listings_listing l, bench_ls_truth t
       WHERE t.id = l.id AND t.young AND p.listing_id = l.id""",
    # A copied photo: an earlier photo of another listing, one bit changed by re-encoding.
    """UPDATE listings_listingphoto p SET dhash = d.dhash # (1::bigint << (p.id %% 64)::int)
       FROM bench_ls_truth t, listings_listingphoto d
       WHERE t.copied AND p.listing_id = t.id
         AND d.id = (SELECT min(id) FROM listings_listingphoto) + (p.id * 7919) %% greatest(
             p.id - (SELECT min(id) FROM listings_listingphoto), 1)
         AND d.partner_id <> p.partner_id""",
    # Co-brokerage: 1 % of genuine listings show a photo another brokerage published first.
    """UPDATE listings_listingphoto p SET dhash = d.dhash
       FROM listings_listingphoto d
       WHERE p.listing_id NOT IN (SELECT id FROM bench_ls_truth)
         AND p.partner_id IN (SELECT id FROM bench_brokers)
         AND random() < 0.01
         AND d.id = (SELECT min(id) FROM listings_listingphoto) + (p.id * 104729) %% greatest(
             p.id - (SELECT min(id) FROM listings_listingphoto), 1)
         AND d.partner_id <> p.partner_id""",
    """UPDATE listings_listingphoto p SET band0 = dhash & 65535, band1 = (dhash >> 16) & 65535,
         band2 = (dhash >> 32) & 65535, band3 = (dhash >> 48) & 65535
       WHERE p.dhash & 65535 <> p.band0 OR (p.dhash >> 16) & 65535 <> p.band1
          OR (p.dhash >> 32) & 65535 <> p.band2 OR (p.dhash >> 48) & 65535 <> p.band3""",
    # Reports: one to three on reported fakes; false alarms on 0.5 % of genuine listings.
    """INSERT INTO listings_report (reason, details, visited, weight, status, respond_by, broker_action,
                                    broker_response, phone_check_note, decision_note, false_report,
                                    created_at,
                                    listing_id, reporter_id)
       SELECT 'not_exist', '', false, 1.0, 'awaiting_broker', now() + interval '2 days', '', '', '', '',
              false,
              now() - interval '1 day', r.listing_id, u.id
       FROM (SELECT t.id AS listing_id, n FROM bench_ls_truth t, generate_series(0, 2) n
             WHERE t.reported AND n <= t.id %% 3
             UNION ALL
             SELECT l.id, 0 FROM listings_listing l
             WHERE l.status IN ('published', 'verified') AND l.partner_id IN (SELECT id FROM bench_brokers)
               AND l.id NOT IN (SELECT id FROM bench_ls_truth) AND random() < 0.005) r
       JOIN accounts_user u ON u.email = 'bench-ls-' || (1 + (r.listing_id * 3 + r.n) %% %(reporters)s)
                                          || '@bench.ansim.kr'""",
    "CREATE TABLE IF NOT EXISTS bench_ls_meta (key text PRIMARY KEY, value text)",
    "INSERT INTO bench_ls_meta VALUES (%(marker)s, now()::text)",
]


def command_generate(args: dict) -> dict:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_ls_meta (key text PRIMARY KEY, value text)")
        cursor.execute("SELECT 1 FROM bench_ls_meta WHERE key = %s", [MARKER])
        done = cursor.fetchone() is not None
    if not done:
        started = time.monotonic()
        params = {
            "reporters": REPORTERS,
            "brokers": BROKERS,
            "sigungu": SIGUNGU,
            "districts": len(SIGUNGU),
            "dongs": DONGS_PER_SIGUNGU,
            "listings": LISTINGS,
            "fakes": int(LISTINGS * 0.97 * FAKE_SHARE),
            "marker": MARKER,
        }
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # An older or unfinished generation: the bench database's listings are all bench data.
            cursor.execute("DROP TABLE IF EXISTS bench_ls_truth")
            cursor.execute(
                "TRUNCATE listings_listing, listings_brokerstanding, listings_campaign, "
                "listings_reporterstanding CASCADE"
            )
            cursor.execute("DELETE FROM partners_partner WHERE name LIKE 'bench-ls-broker-%%'")
            cursor.execute("DELETE FROM accounts_user WHERE email LIKE 'bench-ls-%%'")
            cursor.execute("DELETE FROM bench_ls_meta")
            for number, statement in enumerate(GENERATE_SQL, start=1):
                _log(f"generating ({number}/{len(GENERATE_SQL)}) {statement.split()[0:3]}")
                cursor.execute(statement, params)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE listings_listing")
            cursor.execute("VACUUM ANALYZE listings_listingphoto")
            cursor.execute("ANALYZE listings_report")
        _log(f"generated in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM listings_listing")
        listings = cursor.fetchone()[0]
    return {"listings": listings, "generated_now": not done}


def command_rescore(args: dict) -> dict:
    from listings.services.risk import listings_rescore

    started = time.monotonic()
    scored = listings_rescore()
    return {"seconds": round(time.monotonic() - started, 2), "scored": scored}


class _Rollback(Exception):
    pass


def command_campaign(args: dict) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from listings.models import Campaign, Inspection
    from listings.services.campaigns import campaign_open

    month = timezone.localdate().replace(day=1)
    result = {}
    started = time.monotonic()
    try:
        with transaction.atomic():
            # Measure a fresh opening even if this month's campaign exists (all of it is rolled back).
            Inspection.objects.filter(campaign__month=month).delete()
            Campaign.objects.filter(month=month).delete()
            campaign = campaign_open(month=month, seed=2026, capacity=args["capacity"])
            result = {"areas": len(campaign.selected_areas), "selected": campaign.inspections.count()}
            result["seconds"] = round(time.monotonic() - started, 3)
            raise _Rollback
    except _Rollback:
        pass
    return result


def _hits(cursor, queue: int) -> int:
    cursor.execute(
        """SELECT count(t.id) FROM (SELECT r.listing_id FROM listings_riskscore r
                                    ORDER BY r.score DESC, r.listing_id LIMIT %s) top
           LEFT JOIN bench_ls_truth t ON t.id = top.listing_id""",
        [queue],
    )
    return cursor.fetchone()[0]


def command_precision(args: dict) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        wide = _hits(cursor, WIDE_QUEUE)
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE t.id IS NOT NULL) FROM (
                SELECT r.listing_id FROM listings_riskscore r
                ORDER BY r.score DESC, r.listing_id LIMIT %s) top
            LEFT JOIN bench_ls_truth t ON t.id = top.listing_id""",
            [args["capacity"]],
        )
        hits = cursor.fetchone()[0]
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE silent) FROM bench_ls_truth")
        fakes, silent = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM listings_riskscore")
        live = cursor.fetchone()[0]
    return {
        "precision": round(hits / args["capacity"], 4),
        "base_rate": fakes / max(live, 1),
        "fakes": fakes,
        "without_signal": silent,
        "live": live,
        "wide": round(wide / WIDE_QUEUE, 4),
    }


def command_search_cold(args: dict) -> dict:
    from django.core.cache import cache

    from listings.selectors import SEARCH_VERSION_KEY

    cache.set(SEARCH_VERSION_KEY, int(time.time()), None)
    return {}


COMMANDS = {
    "search_cold": command_search_cold,
    "generate": command_generate,
    "rescore": command_rescore,
    "campaign": command_campaign,
    "precision": command_precision,
}


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in COMMANDS:
        print(f"usage: listings.py {{{','.join(COMMANDS)}}} '<json args>'", file=sys.stderr)
        return 2
    _django_setup()
    try:
        result = COMMANDS[argv[0]](json.loads(argv[1]) if len(argv) > 1 else {})
    except Exception as exc:
        import traceback

        traceback.print_exc()
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
