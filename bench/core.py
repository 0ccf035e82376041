"""Core: what one request through the full Django stack costs, against a bare WSGI app on the same server.

`core.json_rps` loads /healthz/ (middleware, URL routing and a JSON response, no database); `core.orm_get_rps`
loads the public partner profile (the same plus DRF, the anonymous throttle in Redis, and one PostgreSQL
read by primary key). Both are stated as ratios of raw WSGI hello-world under the same gunicorn and wrk,
so the figures mean the same on a faster or slower machine; later apps state theirs as ratios of these.
`core.orm_get_vs_plain` compares the API read with a plain Django view reading the same row, the two
loaded in alternating turns so that the machine's own changes of speed fall on both.
"""

# The same wrk settings for the anchor and both figures, so the ratios compare like with like.
WARMUP_S = 2
DURATION_S = 10
SLICES = 5  # turns of DURATION_S / SLICES seconds when two targets are measured alternately
CONNECTIONS = 32
THREADS = 2

JSON_GOAL = 0.50
ORM_GOAL = 0.25
# Of a plain Django view reading the same row (bench/plain_django.py): what the platform's stack may cost.
ORM_VS_PLAIN_GOAL = 0.80
P99_GOAL_MS = 50

BENCH_USER = "bench-owner@ansim.example"
BENCH_BRN = "1248100998"  # a valid business registration number (check digit 8)

# Idempotent: reuses the bench partner across runs and re-approves it if an earlier run left it otherwise.
SEED_PARTNER = f"""
from trustplatform.accounts.models import User
from trustplatform.partners.models import Partner

user = User.objects.filter(email={BENCH_USER!r}).first()
if user is None:
    user = User.objects.create_user({BENCH_USER!r}, None, full_name="Bench Owner")
partner = Partner.objects.filter(registration_number={BENCH_BRN!r}).exclude(status="rejected").first()
if partner is None:
    partner = Partner.objects.create(
        name="안심 벤치 게스트하우스", kind="lodging", registration_number={BENCH_BRN!r},
        representative="Bench Owner", contact_email={BENCH_USER!r}, address="서울특별시 중구 세종대로 110",
        applied_by=user, status="approved",
    )
elif partner.status != "approved":
    Partner.objects.filter(pk=partner.pk).update(status="approved")
print("BENCH_PARTNER_ID", partner.pk)
"""


def seed_partner(ctx) -> int:
    out = ctx.django_shell(SEED_PARTNER)
    for line in out.splitlines():
        if line.startswith("BENCH_PARTNER_ID "):
            return int(line.split()[1])
    ctx.fail(f"seeding the bench partner printed no id:\n{out}")


def measure(ctx, url: str, label: str):
    """A warm-up run (imports, connection pools, caches), then the measured one."""
    ctx.wrk(url, WARMUP_S, CONNECTIONS, THREADS).check(f"{label} warm-up")
    return ctx.wrk(url, DURATION_S, CONNECTIONS, THREADS).check(label)


def measure_alternately(ctx, targets: list[tuple[str, str]]) -> list:
    """Each (url, label) warmed up, then measured in SLICES turns of DURATION_S / SLICES seconds taken in
    turn, so that a change in the machine's speed during the run (another tenant, a frequency step)
    weighs on every target alike and their ratio holds; one WrkResult per target over all its turns
    (requests and CPU summed, the worst turn's latency)."""
    for url, label in targets:
        ctx.wrk(url, WARMUP_S, CONNECTIONS, THREADS).check(f"{label} warm-up")
    turns: list[list] = [[] for _ in targets]
    for _ in range(SLICES):
        for index, (url, label) in enumerate(targets):
            turns[index].append(ctx.wrk(url, DURATION_S / SLICES, CONNECTIONS, THREADS).check(label))
    combined = []
    for results in turns:
        first = results[0]
        requests = sum(result.requests for result in results)
        duration = sum(result.duration_s for result in results)
        combined.append(type(first)(
            url=first.url, requests=requests, duration_s=duration, rps=requests / duration,
            latency_ms={pct: max(result.latency_ms.get(pct, 0.0) for result in results)
                        for pct in first.latency_ms},
            non_2xx_3xx=sum(result.non_2xx_3xx for result in results),
            server_cpu_s=sum(result.server_cpu_s for result in results),
        ))
    return combined


def run(ctx) -> None:
    raw_server = ctx.start_gunicorn("raw_wsgi:application", name="raw-wsgi", pythonpath=ctx.bench_dir)
    try:
        raw = measure(ctx, raw_server.url("/"), "raw WSGI")
    finally:
        # Stopped before the project is loaded, so its idle workers take nothing from the measurement.
        ctx.stop_server(raw_server)

    partner_id = seed_partner(ctx)
    app = ctx.server
    json_url = app.url("/healthz/")
    orm_url = app.url(f"/api/v1/public/partners/{partner_id}/")
    ctx.expect_ok(json_url, "core.json_rps")
    ctx.expect_ok(orm_url, "core.orm_get_rps")
    json_res = measure(ctx, json_url, "core.json_rps")

    # The plain view and the API read in alternating turns: their ratio is the platform's stack alone.
    # While one is loaded the other's workers wait in accept() and take no CPU.
    plain_server = ctx.start_gunicorn("plain_django:application", name="plain-django",
                                      pythonpath=ctx.bench_dir)
    try:
        plain_url = plain_server.url(f"/partners/{partner_id}/")
        ctx.expect_ok(plain_url, "plain Django view")
        plain, orm_res = measure_alternately(ctx, [(plain_url, "plain Django view"),
                                                   (orm_url, "core.orm_get_rps")])
    finally:
        ctx.stop_server(plain_server)

    setup = f"wrk {CONNECTIONS} connections, {THREADS} threads, {DURATION_S} s, {ctx.workers} sync workers"
    turns = f"measured with the plain view in {SLICES} alternating turns of {DURATION_S / SLICES:g} s each"
    anchor_raw = f"raw WSGI hello-world under the same gunicorn: {raw.rps:.1f} req/s"
    ctx.figure("core", "json_rps", json_res.rps, "req/s", f">={JSON_GOAL:.2f}xraw",
               f"{anchor_raw} (ratio {json_res.rps / raw.rps:.2f}x); GET /healthz/, {setup}")
    # Each loop runs the machine's CPU out: what a request costs in CPU (every process but wrk) is what
    # sets the ratios.
    cpu = (f"machine CPU per request outside wrk: API {orm_res.cpu_ms_per_request:.3f} ms, plain view "
           f"{plain.cpu_ms_per_request:.3f} ms, raw WSGI {raw.cpu_ms_per_request:.3f} ms")
    ctx.figure("core", "orm_get_rps", orm_res.rps, "req/s", f">={ORM_GOAL:.2f}xraw",
               f"{anchor_raw} (ratio {orm_res.rps / raw.rps:.2f}x); GET /api/v1/public/partners/<id>/, "
               f"one PostgreSQL read by primary key, PostgreSQL on this machine; {setup}, {turns}; {cpu}")
    ctx.figure("core", "orm_get_vs_plain", orm_res.rps / plain.rps, "x", f">={ORM_VS_PLAIN_GOAL:.2f}",
               f"a plain Django view reading the same row by primary key (no middleware, no DRF) under the "
               f"same gunicorn: {plain.rps:.1f} req/s, p99 {plain.p99:.2f} ms; {setup}, {turns}; {cpu}")
    ctx.figure("core", "json_p99_ms", json_res.p99, "ms", f"<={P99_GOAL_MS}",
               f"wrk {CONNECTIONS} connections, GET /healthz/; raw WSGI p99 {raw.p99:.2f} ms")
    ctx.figure("core", "orm_get_p99_ms", orm_res.p99, "ms", f"<={P99_GOAL_MS}",
               f"wrk {CONNECTIONS} connections, GET /api/v1/public/partners/<id>/; "
               f"raw WSGI p99 {raw.p99:.2f} ms")
