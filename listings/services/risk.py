"""Nightly risk scoring of every live listing, set-based in PostgreSQL (1M listings in minutes).

Each component is between 0 and 1 and kept with its evidence, so staff see why a listing ranks high:
- price:   robust z-score of ln(price basis) against the median of live listings of the same district,
           deal type and size band, scaled by the MAD; only prices far *below* the median count;
- photo:   a photo within LISTINGS_PHOTO_NEAR_BITS of an earlier photo of another brokerage's listing
           (candidates share one of four indexed 16-bit bands of the dHash);
- reports: the weighted open reports (each report weighs its reporter's track record);
- strikes: the brokerage's active strike points;
- young:   a brokerage approved recently;
- verification: none, expired, or only a weak level;
- stale:   not confirmed current for a while.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..models import LIVE_STATUSES
from .risk_model import MIN_GROUP, SIZE_BANDS, VERIFICATION_RISK, VERSION, WEIGHTS
from .risk_portable import listings_rescore_portable

TEMP_TABLES = (
    "risk_base",
    "risk_median",
    "risk_groups",
    "risk_dup",
    "risk_reports",
    "risk_strikes",
    "risk_components",
)

_LIVE = "('" + "','".join(LIVE_STATUSES) + "')"
_BAND = "width_bucket(size_m2, ARRAY[" + ",".join(str(b) for b in SIZE_BANDS) + "]::numeric[])"


def _statements(near_bits: int, young_days: int, stale_days: int) -> list[str]:
    dup_joins = " UNION ".join(
        f"""SELECT a.listing_id FROM listings_listingphoto a JOIN listings_listingphoto b
              ON b.band{n} = a.band{n} AND b.id < a.id AND b.partner_id <> a.partner_id
             AND bit_count((a.dhash # b.dhash)::bit(64)) <= {int(near_bits)}"""
        for n in range(4)
    )
    verification_case = " ".join(f"WHEN {level} THEN {risk}" for level, risk in VERIFICATION_RISK.items())
    weights = WEIGHTS
    return [
        f"""CREATE TEMP TABLE risk_base ON COMMIT DROP AS
            SELECT id, partner_id, sigungu_code, deal_type, {_BAND} AS band,
                   ln(greatest(price_basis_krw, 1)::float8) AS lp,
                   CASE WHEN verification_expires_at > now() THEN verification_level ELSE 0 END AS level,
                   extract(epoch FROM now() - refreshed_at) / 86400 AS stale_days
            FROM listings_listing WHERE status IN {_LIVE}""",
        """CREATE TEMP TABLE risk_median ON COMMIT DROP AS
            SELECT sigungu_code, deal_type, band, count(*) AS n,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY lp) AS med
            FROM risk_base GROUP BY 1, 2, 3""",
        """CREATE TEMP TABLE risk_groups ON COMMIT DROP AS
            SELECT m.sigungu_code, m.deal_type, m.band, m.n, m.med,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(b.lp - m.med)) AS mad
            FROM risk_base b JOIN risk_median m USING (sigungu_code, deal_type, band)
            WHERE m.n >= %(min_group)s GROUP BY 1, 2, 3, 4, 5""",
        f"CREATE TEMP TABLE risk_dup ON COMMIT DROP AS SELECT DISTINCT listing_id FROM ({dup_joins}) d",
        """CREATE TEMP TABLE risk_reports ON COMMIT DROP AS
            SELECT listing_id, sum(weight) AS w, count(*) AS n FROM listings_report
            WHERE status IN ('awaiting_broker', 'in_review', 'on_site') GROUP BY 1""",
        """CREATE TEMP TABLE risk_strikes ON COMMIT DROP AS
            SELECT partner_id, sum(severity) AS points FROM listings_strike
            WHERE status = 'active' AND expires_at > now() GROUP BY 1""",
        f"""CREATE TEMP TABLE risk_components ON COMMIT DROP AS
            SELECT b.id,
              CASE WHEN g.n IS NULL THEN 0 ELSE least(greatest(
                  (-(b.lp - g.med) / (1.4826 * greatest(g.mad, 0.02)) - 1.5) / 2.5, 0), 1) END AS c_price,
              CASE WHEN g.n IS NULL THEN NULL
                   ELSE round(((b.lp - g.med) / (1.4826 * greatest(g.mad, 0.02)))::numeric, 2) END AS z,
              g.n AS peers, round(exp(g.med)) AS median_krw,
              CASE WHEN d.listing_id IS NULL THEN 0 ELSE 1 END AS c_photo,
              1 - exp(-coalesce(r.w, 0) / 1.5) AS c_reports, coalesce(r.w, 0) AS report_weight,
              coalesce(r.n, 0) AS open_reports,
              least(coalesce(s.points, 0) / 3.0, 1) AS c_strikes, coalesce(s.points, 0) AS strike_points,
              CASE b.level {verification_case} ELSE 1 END AS c_verification, b.level,
              greatest(0, 1 - extract(epoch FROM now() - coalesce(p.decided_at, p.created_at)) / 86400
                               / {int(young_days)}) AS c_young,
              floor(extract(epoch FROM now() - coalesce(p.decided_at, p.created_at)) / 86400)
                AS broker_age_days,
              least(greatest(b.stale_days - {int(stale_days)}, 0) / {2 * int(stale_days)}, 1) AS c_stale,
              floor(b.stale_days) AS stale_days
            FROM risk_base b
            JOIN partners_partner p ON p.id = b.partner_id
            LEFT JOIN risk_groups g USING (sigungu_code, deal_type, band)
            LEFT JOIN risk_dup d ON d.listing_id = b.id
            LEFT JOIN risk_reports r ON r.listing_id = b.id
            LEFT JOIN risk_strikes s ON s.partner_id = b.partner_id""",
        f"""INSERT INTO listings_riskscore (listing_id, score, components, version, computed_at)
            SELECT id,
              round((c_price * {weights["price"]} + c_photo * {weights["photo"]}
                     + c_reports * {weights["reports"]}
                     + c_strikes * {weights["strikes"]} + c_verification * {weights["verification"]}
                     + c_young * {weights["young"]} + c_stale * {weights["stale"]})::numeric, 2)::float8,
              jsonb_build_object(
                'price', jsonb_build_object('value', round(c_price::numeric, 3), 'z', z, 'peers', peers,
                                            'median_krw', median_krw),
                'photo', jsonb_build_object('value', c_photo),
                'reports', jsonb_build_object('value', round(c_reports::numeric, 3), 'open', open_reports,
                                              'weight', round(report_weight::numeric, 2)),
                'strikes', jsonb_build_object('value', round(c_strikes::numeric, 3), 'points', strike_points),
                'verification', jsonb_build_object('value', c_verification, 'level', level),
                'young', jsonb_build_object('value', round(c_young::numeric, 3), 'age_days', broker_age_days),
                'stale', jsonb_build_object('value', round(c_stale::numeric, 3), 'days', stale_days)),
              %(version)s, %(now)s
            FROM risk_components
            ON CONFLICT (listing_id) DO UPDATE SET score = EXCLUDED.score, components = EXCLUDED.components,
                version = EXCLUDED.version, computed_at = EXCLUDED.computed_at""",
        f"""DELETE FROM listings_riskscore r USING listings_listing l
            WHERE l.id = r.listing_id AND l.status NOT IN {_LIVE}""",
    ]


def listings_rescore() -> int:
    """Score every live listing in a handful of set-based statements; returns how many were scored."""
    if connection.vendor != "postgresql":
        return listings_rescore_portable()
    params = {"min_group": MIN_GROUP, "version": VERSION, "now": timezone.now()}
    scored = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # Inside an outer transaction (tests) ON COMMIT DROP has not happened yet.
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
        for statement in _statements(
            settings.LISTINGS_PHOTO_NEAR_BITS,
            settings.LISTINGS_YOUNG_BROKER_DAYS,
            settings.LISTINGS_STALE_DAYS,
        ):
            cursor.execute(statement, params if "%(" in statement else None)
            if statement.lstrip().startswith("INSERT"):
                scored = cursor.rowcount
    return scored
