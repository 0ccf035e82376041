"""Temporary probe module (deleted after testing)."""
REQUIRES = ()


def run(ctx) -> None:
    s = ctx.server
    ctx.wrk(s.url("/healthz/"), 20, 8, 2)
