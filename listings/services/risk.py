"""Nightly risk scoring of every live listing, set-based in PostgreSQL (the model: risk_model.py).

A handful of statements over temporary tables: the live listings with their bands, price groups at
each level with medians and MADs, the class thresholds, photo matches through 32-bit band pairs
(generic pictures left out), enquiry outcomes per listing and per brokerage, then one upsert of every
score with its evidence, so staff see why a listing ranks high.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..models import LIVE_STATUSES
from .risk_model import (
    AGE_BANDS,
    ALONE_COMMON,
    ALONE_RARE,
    BAND_PAIRS,
    BROKER_PRIOR_ANSWERS,
    BUMPS_AFTER_DAYS,
    BUMPS_FROM,
    BUMPS_MIN,
    BUMPS_MIN_LISTINGS,
    BUMPS_RAMP,
    BUMPS_RATE_FLOOR,
    FLOOR_BANDS,
    LET_LIVE_DAYS,
    LET_LIVE_POINTS,
    LET_LIVE_SCALE,
    MAD_FLOOR,
    MIN_GROUP,
    PHOTO_COMMON,
    PRICE_LEVELS,
    PRICE_TAIL,
    PRICE_THRESHOLD_BOUNDS,
    SIZE_BANDS,
    VERIFICATION_RISK,
    weights_in_use,
)
from .risk_portable import listings_rescore_portable

_LIVE = "('" + "','".join(LIVE_STATUSES) + "')"


def _bands(column: str, bounds) -> str:
    return f"width_bucket({column}, ARRAY[{','.join(str(b) for b in bounds)}]::numeric[])"


def _temp_tables() -> list[str]:
    names = ["risk_base", "risk_habit", "risk_zs", "risk_thr", "risk_price", "risk_ph", "risk_rare",
             "risk_match", "risk_photo", "risk_contacts", "risk_brokers", "risk_reports", "risk_strikes",
             "risk_mandate", "risk_buildings", "risk_alone", "risk_components"]
    for level in range(len(PRICE_LEVELS)):
        names += [f"risk_med{level}", f"risk_grp{level}"]
    for first, second in BAND_PAIRS:
        names.append(f"risk_common{first}{second}")
    return names


def _price_statements() -> list[str]:
    """Medians and MADs of ln(price per m²) at every level, then each listing's z in the finest group
    with enough comparable homes."""
    statements = []
    levels = range(len(PRICE_LEVELS))
    for level, keys in enumerate(PRICE_LEVELS):
        cols = ", ".join(keys)
        statements += [
            f"""CREATE TEMP TABLE risk_med{level} ON COMMIT DROP AS
                SELECT {cols}, count(*) AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY lpm) AS med
                FROM risk_base GROUP BY {cols} HAVING count(*) >= %(min_group)s""",
            f"""CREATE TEMP TABLE risk_grp{level} ON COMMIT DROP AS
                SELECT {", ".join(f"m.{k}" for k in keys)}, m.n, m.med,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(b.lpm - m.med)) AS mad
                FROM risk_base b JOIN risk_med{level} m USING ({cols})
                GROUP BY {", ".join(f"m.{k}" for k in keys)}, m.n, m.med""",
        ]
    joins = "\n".join(
        f"LEFT JOIN risk_grp{level} g{level} ON "
        + " AND ".join(f"g{level}.{key} = b.{key}" for key in keys)
        for level, keys in enumerate(PRICE_LEVELS)
    )
    found = "CASE " + " ".join(f"WHEN g{level}.n IS NOT NULL THEN {level}" for level in levels) + " END"
    columns = ", ".join(f"g{level}.{c} AS {c}{level}" for level in levels for c in ("n", "med", "mad"))

    def pick(column: str) -> str:
        return "CASE lvl " + " ".join(f"WHEN {level} THEN {column}{level}" for level in levels) + " END"

    statements.append(
        f"""CREATE TEMP TABLE risk_zs ON COMMIT DROP AS
            SELECT id, deal_type, building_type, lvl, {pick("n")} AS n, {pick("med")} AS med,
                   (lpm - {pick("med")}) / (1.4826 * greatest({pick("mad")}, {MAD_FLOOR})) AS z
            FROM (SELECT b.id, b.deal_type, b.building_type, b.lpm, {found} AS lvl, {columns}
                  FROM risk_base b {joins}) x"""
    )
    return statements


def _statements(near_bits: int, young_days: int, stale_days: int, rent_rate: float, weights: dict) -> list:
    common = [
        f"""CREATE TEMP TABLE risk_common{i}{j} ON COMMIT DROP AS
            SELECT band{i} AS x, band{j} AS y FROM risk_ph GROUP BY 1, 2 HAVING count(*) > {PHOTO_COMMON}"""
        for i, j in BAND_PAIRS
    ]
    # A hash sharing any 32-bit band pair with more than PHOTO_COMMON others is a generic picture (a plain
    # wall, a bathroom) or within a few bits of one: it is left out of both sides before any join, so no
    # bucket holds more than PHOTO_COMMON hashes and generic pictures never pair with each other.
    generic = " OR ".join(
        f"EXISTS (SELECT 1 FROM risk_common{i}{j} c WHERE c.x = p.band{i} AND c.y = p.band{j})"
        for i, j in BAND_PAIRS
    )
    pairs = " UNION ".join(
        f"""SELECT a.photo_id AS a_photo, b.photo_id AS b_photo
            FROM risk_rare a JOIN risk_rare b ON b.band{i} = a.band{i} AND b.band{j} = a.band{j}
            WHERE a.kind = 0 AND a.live AND b.photo_id <> a.photo_id AND b.partner_id <> a.partner_id
              AND bit_count((a.dhash # b.dhash)::bit(64)) <= {int(near_bits)}"""
        for i, j in BAND_PAIRS
    )
    points = LET_LIVE_POINTS
    verification_case = " ".join(f"WHEN {level} THEN {risk}" for level, risk in VERIFICATION_RISK.items())
    low, high = PRICE_THRESHOLD_BOUNDS
    score = " + ".join(f"c_{name} * {float(weight)}" for name, weight in weights.items())
    answered = f"""count(*) FILTER (WHERE c.outcome = 'unavailable') * {points["unavailable"]}
                 + count(*) FILTER (WHERE c.outcome = 'other_offered') * {points["other_offered"]}
                 + count(*) FILTER (WHERE c.outcome = 'no_viewing') * {points["no_viewing"]}
                 + count(*) FILTER (WHERE c.broker_answer = 'contracted') * {points["contracted"]}"""
    return [
        f"""CREATE TEMP TABLE risk_base ON COMMIT DROP AS
            SELECT id, partner_id, landlord_id, building_key, sigungu_code, dong_code, deal_type,
                   regexp_replace(unit, '[^0-9]', '', 'g') AS unit_digits,
                   coalesce(published_at, created_at) AS listed_at,
                   building_type, {_bands("size_m2", SIZE_BANDS)} AS size_band,
                   {_bands("floor", FLOOR_BANDS)} AS floor_band,
                   CASE WHEN built_year IS NULL THEN -1
                        ELSE {_bands("(extract(year FROM now()) - built_year)", AGE_BANDS)} END AS age_band,
                   ln(greatest(CASE WHEN deal_type = 'sale' THEN price_krw
                                    ELSE deposit_krw + monthly_rent_krw * 1200.0 / {float(rent_rate)} END, 1)
                      / size_m2::float8) AS lpm,
                   CASE WHEN verification_expires_at > now() THEN verification_level ELSE 0 END AS level,
                   published_at, refresh_count, registry_changed_at,
                   extract(epoch FROM now() - coalesce(published_at, created_at)) / 86400 AS live_days
            FROM listings_listing WHERE status IN {_LIVE}""",
        "CREATE INDEX ON risk_base (id)",
        "ANALYZE risk_base",
        # Each brokerage's usual bumps a day over its live listings; the market's for small brokerages.
        f"""CREATE TEMP TABLE risk_habit ON COMMIT DROP AS
            WITH rates AS (SELECT partner_id, refresh_count / greatest(live_days, 7) AS rate FROM risk_base),
            market AS (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY rate) AS med FROM rates)
            SELECT r.partner_id,
                   greatest(CASE WHEN count(*) >= {BUMPS_MIN_LISTINGS}
                                 THEN percentile_cont(0.5) WITHIN GROUP (ORDER BY r.rate)
                                 ELSE max(market.med) END, {BUMPS_RATE_FLOOR}) AS habit
            FROM rates r, market GROUP BY r.partner_id""",
        *_price_statements(),
        f"""CREATE TEMP TABLE risk_thr ON COMMIT DROP AS
            SELECT deal_type, building_type,
                   least(greatest(-percentile_cont({PRICE_TAIL}) WITHIN GROUP (ORDER BY z), {low}),
                         {high}) AS t
            FROM risk_zs WHERE z IS NOT NULL GROUP BY 1, 2""",
        """CREATE TEMP TABLE risk_price ON COMMIT DROP AS
            SELECT s.id, s.z, s.n, s.lvl, s.med, CASE WHEN s.z IS NULL THEN NULL ELSE t.t END AS t,
                   CASE WHEN s.z IS NULL THEN 0
                        ELSE least(greatest((-s.z - t.t) / 2.0, 0), 1) END AS c_price
            FROM risk_zs s LEFT JOIN risk_thr t USING (deal_type, building_type)""",
        # Every photo hash (full: kind 0; crops: their percent) with what decides whether a match counts.
        """CREATE TEMP TABLE risk_ph ON COMMIT DROP AS
            SELECT h.photo_id, h.kind, h.dhash, h.band0, h.band1, h.band2, h.band3, h.uploaded_at,
                   l.id AS listing_id, l.partner_id, l.building_key, l.landlord_id,
                   l.status IN """ + _LIVE + """ AS live
            FROM (SELECT id AS photo_id, 0 AS kind, dhash, band0, band1, band2, band3, uploaded_at, listing_id
                  FROM listings_listingphoto
                  UNION ALL
                  SELECT c.photo_id, c.kind, c.dhash, c.band0, c.band1, c.band2, c.band3, p.uploaded_at,
                         c.listing_id
                  FROM listings_photohash c JOIN listings_listingphoto p ON p.id = c.photo_id) h
            JOIN listings_listing l ON l.id = h.listing_id""",
        "CREATE INDEX ON risk_ph (photo_id) WHERE kind = 0",
        "ANALYZE risk_ph",
        *common,
        f"""CREATE TEMP TABLE risk_rare ON COMMIT DROP AS
            SELECT photo_id, kind, dhash, band0, band1, band2, band3, partner_id, live FROM risk_ph p
            WHERE NOT ({generic})""",
        "ANALYZE risk_rare",
        f"CREATE TEMP TABLE risk_match ON COMMIT DROP AS SELECT DISTINCT a_photo, b_photo FROM ({pairs}) m",
        "ANALYZE risk_match",
        # Earlier upload is the original; same building or the same owner's co-listing is not copying.
        """CREATE TEMP TABLE risk_photo ON COMMIT DROP AS
            SELECT listing_id, max(strength) AS c_photo, sum(partners) AS partners
            FROM (SELECT listing_id, photo_id, partners,
                         CASE WHEN own OR partners = 0 THEN 0.0 WHEN partners <= 2 THEN 1.0
                              ELSE 2.0 / partners END AS strength
                  FROM (SELECT a.listing_id, a.photo_id,
                               count(DISTINCT b.partner_id) FILTER (
                                   WHERE NOT ((a.building_key <> '' AND a.building_key = b.building_key)
                                              OR coalesce(a.landlord_id = b.landlord_id, false))) AS partners,
                               bool_or((a.building_key <> '' AND a.building_key = b.building_key)
                                       OR coalesce(a.landlord_id = b.landlord_id, false)) AS own
                        FROM risk_match m
                        JOIN risk_ph a ON a.photo_id = m.a_photo AND a.kind = 0
                        JOIN risk_ph b ON b.photo_id = m.b_photo AND b.kind = 0
                        WHERE (b.uploaded_at, b.photo_id) < (a.uploaded_at, a.photo_id)
                        GROUP BY a.listing_id, a.photo_id) counted) per_photo
            GROUP BY listing_id""",
        f"""CREATE TEMP TABLE risk_contacts ON COMMIT DROP AS
            SELECT c.listing_id,
                   {answered}
                   + count(*) FILTER (WHERE c.outcome = 'viewed') * {points["viewed"]} AS points,
                   count(*) FILTER (WHERE c.outcome IN ('unavailable', 'other_offered')) AS told_gone,
                   count(*) FILTER (WHERE c.outcome = 'no_viewing') AS no_viewing,
                   count(*) FILTER (WHERE c.outcome = 'viewed') AS viewed,
                   count(*) FILTER (WHERE c.broker_answer = 'contracted') AS broker_contracted,
                   max(c.outcome_at) FILTER (WHERE c.outcome = 'viewed') AS last_viewed
            FROM listings_listingcontact c JOIN risk_base b ON b.id = c.listing_id
            WHERE (c.outcome <> '' OR c.broker_answer <> '')
              AND c.created_at >= greatest(b.published_at, now() - interval '{int(LET_LIVE_DAYS)} days')
            GROUP BY c.listing_id""",
        # The brokerage's let-but-live answers over all its listings' enquiries in the last 180 days.
        f"""CREATE TEMP TABLE risk_brokers ON COMMIT DROP AS
            WITH per AS (
                SELECT l.partner_id, ({answered}) AS bad, count(*) AS answers
                FROM listings_listingcontact c JOIN listings_listing l ON l.id = c.listing_id
                WHERE (c.outcome <> '' OR c.broker_answer <> '')
                  AND c.created_at >= now() - interval '180 days'
                GROUP BY l.partner_id),
            market AS (SELECT greatest(sum(bad), 1)::float8 / greatest(sum(answers), 1) AS rate FROM per)
            SELECT per.partner_id, per.bad, per.answers,
                   (per.bad + market.rate * {BROKER_PRIOR_ANSWERS}) / (per.answers + {BROKER_PRIOR_ANSWERS})
                     / market.rate AS ratio
            FROM per, market""",
        # Another brokerage's earlier live listing of the same unit, for a listing with no sign of a mandate.
        f"""CREATE TEMP TABLE risk_mandate ON COMMIT DROP AS
            SELECT a.id, count(DISTINCT o.partner_id) AS earlier
            FROM risk_base a
            JOIN listings_listing o ON o.building_key = a.building_key AND o.partner_id <> a.partner_id
            WHERE a.building_key <> '' AND a.unit_digits <> '' AND a.landlord_id IS NULL AND a.level = 0
              AND o.status IN {_LIVE} AND regexp_replace(o.unit, '[^0-9]', '', 'g') = a.unit_digits
              AND (coalesce(o.published_at, o.created_at), o.id) < (a.listed_at, a.id)
            GROUP BY a.id""",
        # How many listings, past and present, each building has had; and per building type, the share
        # of listings at an address with no other.
        """CREATE TEMP TABLE risk_buildings ON COMMIT DROP AS
            SELECT building_key, count(*) AS n FROM listings_listing WHERE building_key <> '' GROUP BY 1""",
        """CREATE TEMP TABLE risk_alone ON COMMIT DROP AS
            SELECT l.building_type, (count(*) FILTER (WHERE k.n = 1) + 1)::float8 / (count(*) + 1) AS share
            FROM listings_listing l JOIN risk_buildings k USING (building_key) GROUP BY 1""",
        """CREATE TEMP TABLE risk_reports ON COMMIT DROP AS
            SELECT listing_id, sum(weight) AS w, count(*) AS n FROM listings_report
            WHERE status IN ('awaiting_broker', 'in_review', 'on_site') GROUP BY 1""",
        """CREATE TEMP TABLE risk_strikes ON COMMIT DROP AS
            SELECT partner_id, sum(severity) AS points FROM listings_strike
            WHERE status = 'active' AND expires_at > now() GROUP BY 1""",
        f"""CREATE TEMP TABLE risk_components ON COMMIT DROP AS
            SELECT b.id, pr.c_price, pr.z, pr.n AS peers, pr.lvl, round(exp(pr.med)) AS median_krw_m2, pr.t,
              coalesce(ph.c_photo, 0) AS c_photo, coalesce(ph.partners, 0) AS photo_partners,
              1 - exp(-greatest(coalesce(ct.points, 0)
                                + CASE WHEN b.registry_changed_at > b.published_at
                                       THEN {points["registry"]} ELSE 0 END, 0)
                    / {LET_LIVE_SCALE}) AS c_let_live,
              coalesce(ct.told_gone, 0) AS told_gone, coalesce(ct.no_viewing, 0) AS no_viewing,
              coalesce(ct.viewed, 0) AS viewed, coalesce(ct.broker_contracted, 0) AS broker_contracted,
              b.registry_changed_at > b.published_at AS registry_changed,
              least(greatest((coalesce(br.ratio, 1) - 1) / 3, 0), 1) AS c_broker,
              round(coalesce(br.ratio, 1)::numeric, 2) AS broker_ratio,
              coalesce(br.answers, 0) AS broker_answers,
              CASE WHEN b.live_days >= {BUMPS_AFTER_DAYS} AND b.refresh_count >= {BUMPS_MIN}
                   THEN least(greatest((b.refresh_count / greatest(b.live_days, 7) / h.habit - {BUMPS_FROM})
                                       / {BUMPS_RAMP}, 0), 1)
                   ELSE 0 END AS c_bumps,
              round((b.refresh_count / greatest(b.live_days, 7) / h.habit)::numeric, 2) AS bump_habit,
              b.refresh_count, floor(b.live_days) AS live_days,
              1 - exp(-coalesce(r.w, 0) / 1.5) AS c_reports, coalesce(r.w, 0) AS report_weight,
              coalesce(r.n, 0) AS open_reports,
              least(coalesce(s.points, 0) / 3.0, 1) AS c_strikes, coalesce(s.points, 0) AS strike_points,
              CASE b.level {verification_case} ELSE 1 END AS c_verification, b.level,
              greatest(0, 1 - extract(epoch FROM now() - coalesce(p.decided_at, p.created_at)) / 86400
                               / {int(young_days)}) AS c_young,
              floor(extract(epoch FROM now() - coalesce(p.decided_at, p.created_at)) / 86400)
                AS broker_age_days,
              greatest(extract(epoch FROM now() - greatest(coalesce(b.published_at, now()), ct.last_viewed))
                       / 86400, 0) AS evidence_days,
              CASE WHEN md.earlier > 0 THEN 1 ELSE 0 END AS c_mandate, coalesce(md.earlier, 0) AS earlier,
              CASE WHEN k.n = 1 THEN least(greatest(ln({ALONE_COMMON} / al.share)
                                                    / ln({ALONE_COMMON / ALONE_RARE}), 0), 1)
                   ELSE 0 END AS c_address,
              coalesce(k.n - 1, 0) AS building_others, round(coalesce(al.share, 1)::numeric, 4) AS alone_share
            FROM risk_base b
            JOIN partners_partner p ON p.id = b.partner_id
            JOIN risk_price pr ON pr.id = b.id
            LEFT JOIN risk_photo ph ON ph.listing_id = b.id
            LEFT JOIN risk_contacts ct ON ct.listing_id = b.id
            LEFT JOIN risk_brokers br ON br.partner_id = b.partner_id
            JOIN risk_habit h ON h.partner_id = b.partner_id
            LEFT JOIN risk_reports r ON r.listing_id = b.id
            LEFT JOIN risk_strikes s ON s.partner_id = b.partner_id
            LEFT JOIN risk_mandate md ON md.id = b.id
            LEFT JOIN risk_buildings k ON k.building_key = b.building_key
            LEFT JOIN risk_alone al ON al.building_type = b.building_type""",
        f"""INSERT INTO listings_riskscore (listing_id, score, components, version, computed_at)
            SELECT id, round(({score})::numeric, 2)::float8,
              jsonb_build_object(
                'price', jsonb_build_object('value', round(c_price::numeric, 3), 'z', round(z::numeric, 2),
                                            'peers', peers, 'group', lvl, 'threshold', round(t::numeric, 2),
                                            'median_krw_m2', median_krw_m2),
                'photo', jsonb_build_object('value', round(c_photo::numeric, 3), 'partners', photo_partners),
                'let_live', jsonb_build_object('value', round(c_let_live::numeric, 3), 'told_gone', told_gone,
                                               'no_viewing', no_viewing, 'viewed', viewed,
                                               'broker_contracted', broker_contracted,
                                               'registry_changed', coalesce(registry_changed, false)),
                'reports', jsonb_build_object('value', round(c_reports::numeric, 3), 'open', open_reports,
                                              'weight', round(report_weight::numeric, 2)),
                'broker', jsonb_build_object('value', round(c_broker::numeric, 3), 'ratio', broker_ratio,
                                             'answers', broker_answers),
                'bumps', jsonb_build_object('value', round(c_bumps::numeric, 3), 'count', refresh_count,
                                            'live_days', live_days, 'habit', bump_habit),
                'strikes', jsonb_build_object('value', round(c_strikes::numeric, 3), 'points', strike_points),
                'verification', jsonb_build_object('value', c_verification, 'level', level),
                'young', jsonb_build_object('value', round(c_young::numeric, 3), 'age_days', broker_age_days),
                'stale', jsonb_build_object('value', round(c_stale::numeric, 3),
                                            'days', floor(evidence_days)),
                'mandate', jsonb_build_object('value', round(c_mandate::numeric, 3), 'earlier', earlier),
                'address', jsonb_build_object('value', round(c_address::numeric, 3),
                                              'others', building_others, 'alone_share', alone_share)),
              %(version)s, %(now)s
            FROM (SELECT *, least(greatest(evidence_days - {int(stale_days)}, 0) / {2 * int(stale_days)}, 1)
                            AS c_stale FROM risk_components) c
            ON CONFLICT (listing_id) DO UPDATE SET score = EXCLUDED.score, components = EXCLUDED.components,
                version = EXCLUDED.version, computed_at = EXCLUDED.computed_at""",
        f"""DELETE FROM listings_riskscore r USING listings_listing l
            WHERE l.id = r.listing_id AND l.status NOT IN {_LIVE}""",
    ]


def listings_rescore() -> int:
    """Score every live listing in a handful of set-based statements; returns how many were scored."""
    if connection.vendor != "postgresql":
        return listings_rescore_portable()
    weights, version = weights_in_use()
    params = {"min_group": MIN_GROUP, "version": version, "now": timezone.now()}
    scored = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Inside an outer transaction (tests) ON COMMIT DROP has not happened yet.
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_temp_tables())}")
        for statement in _statements(
            settings.LISTINGS_PHOTO_NEAR_BITS,
            settings.LISTINGS_YOUNG_BROKER_DAYS,
            settings.LISTINGS_STALE_DAYS,
            settings.LISTINGS_RENT_CONVERSION_PERCENT,
            weights,
        ):
            cursor.execute(statement, params if "%(" in statement else None)
            if statement.lstrip().startswith("INSERT"):
                scored = cursor.rowcount
    return scored
