"""Measure which centred-crop levels of a listing photo's dHash catch cropped copies of it.

Run `.venv/bin/python scripts/photo_crop_levels.py [--near-bits 3]` (no database; deterministic).
For every demo photo (listings/demo_photos, bookings/demo_photos) it makes copies that keep 60…95 %
of the width and height (1 % steps), centred or moved off centre by up to 5 % of a side, resized and
saved as JPEG at quality 75, the way a copier re-posts a cropped picture. A copy is *caught* at a
level when its full hash is within the near bits of the original's centred crop hash at that level
(`listings.photos.crop_centred`), or of the original's full hash ("full"). It prints:

1. how fast a level's catch falls off as the copy keeps more or less than the level, and as the
   copy moves off centre;
2. false matches per level: (photo or copy, another photo) pairs within the near bits;
3. the best sets of at most MAX_LEVELS levels (multiples of 5, with the full hash), ranked by the
   copies they catch among those without false matches;
4. for the first of those sets, the share caught by kept share and shift: what a bench modelling a
   cropped copy should assume.
"""

import argparse
import io
import itertools
import sys
from multiprocessing import Pool
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from listings.photos import crop_centred, dhash, hamming  # noqa: E402

LEVELS = tuple(range(60, 96))  # every level a copy is compared with
CANDIDATES = tuple(range(60, 100, 5))  # the levels a set is chosen from
KEEPS = tuple(range(60, 96))
# Off-centre shifts as percent of the width and of the height (clamped to what the crop leaves).
SHIFTS = ((0, 0), (1, 0), (0, -1), (2, 0), (-2, 2), (3, 0), (0, 5), (-5, 3))
WIDTHS = (600, 1000)
QUALITY = 75
MAX_LEVELS = 3


def demo_photos() -> list[Path]:
    return sorted(ROOT.glob("*/demo_photos/*.jpg"))


def shifted_crop(image: Image.Image, keep: int, shift: tuple[int, int]) -> Image.Image:
    """Keep `keep` percent of each side, moved from the centre by `shift` percent of each side."""
    box = []
    for side, moved in zip(image.size, shift, strict=True):
        kept = round(side * keep / 100)
        start = (side - kept) // 2 + round(side * moved / 100)
        start = min(max(start, 0), side - kept)
        box.append((start, start + kept))
    (left, right), (top, bottom) = box
    return image.crop((left, top, right, bottom))


def copy_hash(image: Image.Image, keep: int, shift: tuple[int, int], width: int) -> int:
    """The full hash a cropped, resized, re-compressed copy gets when it is uploaded."""
    cropped = shifted_crop(image, keep, shift)
    height = round(cropped.height * width / cropped.width)
    buffer = io.BytesIO()
    cropped.resize((width, height), Image.Resampling.LANCZOS).save(buffer, format="JPEG", quality=QUALITY)
    buffer.seek(0)
    return dhash(Image.open(buffer).convert("RGB"))


def photo_measure(path: Path) -> tuple[dict, list]:
    """The hashes the site stores for one photo, and its copies as (keep, shift, hash)."""
    image = Image.open(path).convert("RGB")
    stored = {"full": dhash(image)} | {level: dhash(crop_centred(image, level)) for level in LEVELS}
    copies = []
    for keep in KEEPS:
        for number, shift in enumerate(SHIFTS):
            # Alternate the sizes so each (keep, shift) is seen both shrunk and enlarged across keeps.
            width = WIDTHS[(keep + number) % len(WIDTHS)]
            copies.append((keep, shift, copy_hash(image, keep, shift, width)))
    return stored, copies


def shift_size(shift: tuple[int, int]) -> int:
    return max(abs(moved) for moved in shift)


class Measurement:
    def __init__(self, near_bits: int):
        with Pool() as pool:
            results = pool.map(photo_measure, demo_photos())
        self.near_bits = near_bits
        self.stored = [stored for stored, _copies in results]
        self.copies = [
            (n, keep, shift, value) for n, (_s, copies) in enumerate(results) for keep, shift, value in copies
        ]
        probes = [(n, stored["full"]) for n, stored in enumerate(self.stored)]
        probes += [(n, value) for n, _keep, _shift, value in self.copies]
        self.pairs = len(probes) * (len(self.stored) - 1)
        # caught[level]: copies near their own photo; false[level]: (probe, other photo) pairs near.
        self.caught, self.false, self.closest = {}, {}, {}
        for level in ("full", *LEVELS):
            self.caught[level] = {
                index
                for index, (n, _keep, _shift, value) in enumerate(self.copies)
                if hamming(value, self.stored[n][level]) <= near_bits
            }
            references = [(other, stored[level]) for other, stored in enumerate(self.stored)]
            self.false[level], self.closest[level] = set(), 64
            for index, (n, value) in enumerate(probes):
                for other, reference in references:
                    distance = hamming(value, reference)
                    if other != n and distance <= self.closest[level]:
                        self.closest[level] = distance
                    if other != n and distance <= near_bits:
                        self.false[level].add((index, other))

    def share(self, levels, *, keeps=KEEPS, shift_sizes=None) -> tuple[float, int]:
        """% of the copies keeping one of `keeps` (shifted by one of `shift_sizes`) caught at any level."""
        chosen = [
            index
            for index, (_n, keep, shift, _value) in enumerate(self.copies)
            if keep in keeps and (shift_sizes is None or shift_size(shift) in shift_sizes)
        ]
        caught = set().union(*(self.caught[level] for level in levels))
        return (100 * sum(index in caught for index in chosen) / len(chosen) if chosen else 0.0), len(chosen)

    def pooled(self, pairs) -> float:
        """% caught over (level, keeps, shift sizes) groups taken together."""
        hits = total = 0
        for level, keeps, sizes in pairs:
            caught, n = self.share((level,), keeps=keeps, shift_sizes=sizes)
            hits, total = hits + caught * n / 100, total + n
        return 100 * hits / total


def falloff_tables(measured: Measurement) -> None:
    print("\nCatch by how much more (+) or less (-) the copy keeps than the level, centred copies, "
          "levels 65-90 pooled")
    gaps = range(-5, 6)
    print("gap %     " + " ".join(f"{gap:>+5}" for gap in gaps))
    cells = [measured.pooled((level, (level + gap,), (0,)) for level in range(65, 91)) for gap in gaps]
    print("caught %  " + " ".join(f"{cell:5.1f}" for cell in cells))
    print("\nCatch by shift off centre (largest of the two, % of a side), copy keeps exactly the level")
    sizes = sorted({shift_size(shift) for shift in SHIFTS})
    print("shift %   " + " ".join(f"{size:>5}" for size in sizes))
    cells = [measured.pooled((level, (level,), (size,)) for level in KEEPS) for size in sizes]
    print("caught %  " + " ".join(f"{cell:5.1f}" for cell in cells))


def false_table(measured: Measurement) -> None:
    print(f"\nFalse matches: (photo or copy, another photo) pairs within {measured.near_bits} bits, of "
          f"{measured.pairs}")
    print("level     " + " ".join(f"{str(level):>5}" for level in ("full", *CANDIDATES)))
    print("matched   " + " ".join(f"{len(measured.false[level]):>5}" for level in ("full", *CANDIDATES)))
    print("closest   " + " ".join(f"{measured.closest[level]:>5}" for level in ("full", *CANDIDATES)))
    worst = max(LEVELS, key=lambda level: len(measured.false[level]))
    print(f"(all levels 60-95: {sum(len(measured.false[level]) for level in LEVELS)} matched pairs in all; "
          f"most at {worst}: {len(measured.false[worst])})")


def best_sets(measured: Measurement) -> list[tuple]:
    ranked = []
    for size in range(1, MAX_LEVELS + 1):
        for chosen in itertools.combinations(CANDIDATES, size):
            levels = ("full", *chosen)
            false = len(set().union(*(measured.false[level] for level in levels)))
            caught, _n = measured.share(levels)
            centred, _n = measured.share(levels, shift_sizes=(0,))
            ranked.append((false == 0, round(caught, 1), -size, chosen, centred, false))
    ranked.sort(reverse=True)
    print("\nSets of levels (with the full hash), copies kept 60-95 %: the best without false matches, "
          "then the best with some")
    print("levels            caught %  centred %  false pairs")
    shown = ranked[:8] + sorted((row for row in ranked if row[5]), key=lambda row: row[1], reverse=True)[:5]
    for _clean, caught, _size, chosen, centred, false in shown:
        print(f"{str(chosen):<17} {caught:8.1f}  {centred:9.1f}  {false:>6}")
    return ranked


BINS = ((60, 64), (65, 69), (70, 74), (75, 79), (80, 84), (85, 89), (90, 95))


def mapping_table(measured: Measurement, chosen: tuple[int, ...]) -> None:
    print(f"\nCaught by the full hash or any of {chosen}, by kept share and shift (% of copies)")
    sizes = sorted({shift_size(shift) for shift in SHIFTS})
    print("kept %     " + " ".join(f"shift {size}" for size in sizes) + "   all")
    for low, high in BINS:
        keeps = range(low, high + 1)
        cells = [measured.share(("full", *chosen), keeps=keeps, shift_sizes=(size,))[0] for size in sizes]
        caught, _n = measured.share(("full", *chosen), keeps=keeps)
        print(f"{low}-{high}     " + " ".join(f"{cell:7.1f}" for cell in cells) + f" {caught:5.1f}")
    print("\nBy level alone, centred copies (% caught):")
    print("kept %     " + " ".join(f"{str(level):>5}" for level in ("full", *chosen)))
    for low, high in BINS:
        keeps = range(low, high + 1)
        cells = [measured.share((level,), keeps=keeps, shift_sizes=(0,))[0] for level in ("full", *chosen)]
        print(f"{low}-{high}     " + " ".join(f"{cell:5.1f}" for cell in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--near-bits", type=int, default=3)
    parser.add_argument("--levels", help="comma-separated levels for the last tables (default: the best set)")
    args = parser.parse_args()
    measured = Measurement(args.near_bits)
    print(f"{len(measured.stored)} photos, {len(measured.copies)} copies (JPEG q{QUALITY}, widths {WIDTHS}), "
          f"near = at most {args.near_bits} bits")
    falloff_tables(measured)
    false_table(measured)
    ranked = best_sets(measured)
    chosen = tuple(int(level) for level in args.levels.split(",")) if args.levels else ranked[0][3]
    mapping_table(measured, chosen)


if __name__ == "__main__":
    main()
