"""Choosing proxy numbers: pure functions, shared by the service and the pool benchmark.

Each participant gets the lowest-ranked number they do not hold already, so nobody ever needs
a number ranked above their own concurrent count: the pool never grows past the lower bound.
"""

from collections.abc import Iterable, Sequence


def number_pick(*, pool: Sequence[int], held: Iterable[int], sticky: int | None = None) -> int | None:
    """The number for one participant: the sticky one if still free, else the lowest free one."""
    taken = set(held)
    if sticky is not None and sticky not in taken and sticky in pool:
        return sticky
    for number in pool:
        if number not in taken:
            return number
    return None
