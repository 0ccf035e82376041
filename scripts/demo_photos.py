"""Render the demo photos of rooms and homes that `manage.py seed_demo` attaches to stays and listings.

Run `.venv/bin/python scripts/demo_photos.py` to write them again (the output is deterministic):
bookings/demo_photos/room-NN.jpg (hotel rooms) and listings/demo_photos/home-NN.jpg (flats). Each
scene is a room in one-point perspective (walls, ceiling, a plank floor, a window with a view) with
furniture and soft lamp light, drawn at twice the size and scaled down so the edges are smooth.
Every photo differs enough in its layout that the listings' duplicate-photo check tells them apart.
"""

import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 800, 560
SCALE = 2
W, H = WIDTH * SCALE, HEIGHT * SCALE

WALLS = [(236, 229, 218), (226, 232, 236), (240, 234, 226), (222, 228, 220), (244, 240, 234), (232, 222, 214)]
FLOORS = [(176, 132, 92), (150, 108, 74), (196, 160, 120), (120, 88, 62), (206, 184, 150)]
FABRICS = [(96, 120, 150), (150, 110, 96), (110, 132, 110), (186, 170, 150), (70, 86, 112), (160, 140, 170)]


def mix(a: tuple, b: tuple, t: float) -> tuple:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def shade(color: tuple, factor: float) -> tuple:
    return tuple(max(0, min(255, round(c * factor))) for c in color)


def gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    """A vertical gradient from `top` to `bottom`."""
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def fill_polygon(image: Image.Image, points: list, top: tuple, bottom: tuple) -> None:
    """Paint a polygon with a vertical gradient spanning the whole image height."""
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).polygon(points, fill=255)
    image.paste(gradient(image.size, top, bottom), (0, 0), mask)


def glow(image: Image.Image, centre: tuple, radius: int, color: tuple, strength: float) -> Image.Image:
    """Warm light: a blurred disc added on top (screen blend)."""
    light = Image.new("RGB", image.size, (0, 0, 0))
    x, y = centre
    ImageDraw.Draw(light).ellipse(
        [x - radius, y - radius, x + radius, y + radius], fill=shade(color, strength)
    )
    light = light.filter(ImageFilter.GaussianBlur(radius * 0.6))
    return ImageChops.screen(image, light)


class Room:
    """One-point perspective: the back wall is a rectangle, the vanishing point its centre."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        width = rng.uniform(0.50, 0.62) * W
        height = rng.uniform(0.48, 0.56) * H
        left = rng.uniform(0.16, 0.86) * (W - width) if rng.random() < 0.7 else (W - width) / 2
        top = rng.uniform(0.14, 0.22) * H
        self.back = (left, top, left + width, top + height)
        self.wall = rng.choice(WALLS)
        self.floor = rng.choice(FLOORS)

    def draw_shell(self, image: Image.Image) -> None:
        left, upper, right, lower = self.back
        wall = self.wall
        fill_polygon(
            image, [(0, 0), (W, 0), (right, upper), (left, upper)], shade(wall, 0.93), shade(wall, 0.98)
        )  # ceiling
        fill_polygon(
            image, [(0, 0), (left, upper), (left, lower), (0, H)], shade(wall, 0.86), shade(wall, 0.74)
        )  # left
        fill_polygon(
            image, [(W, 0), (right, upper), (right, lower), (W, H)], shade(wall, 0.90), shade(wall, 0.78)
        )  # right
        fill_polygon(
            image,
            [(left, upper), (right, upper), (right, lower), (left, lower)],
            shade(wall, 1.02),
            shade(wall, 0.94),
        )  # back
        fill_polygon(
            image,
            [(left, lower), (right, lower), (W, H), (0, H)],
            shade(self.floor, 0.92),
            shade(self.floor, 1.08),
        )
        # Floor planks run towards the vanishing point, drawn only on the floor.
        planks = image.copy()
        draw = ImageDraw.Draw(planks)
        centre_x, centre_y = (left + right) / 2, (upper + lower) / 2
        for n in range(-14, 43):
            x_back = left + (right - left) * (n - 14) / 28
            x_front = centre_x + (x_back - centre_x) * (H - centre_y) / (lower - centre_y)
            draw.line([(x_back, lower), (x_front, H)], fill=shade(self.floor, 0.84), width=SCALE)
        floor = Image.new("L", image.size, 0)
        ImageDraw.Draw(floor).polygon([(left, lower), (right, lower), (W, H), (0, H)], fill=255)
        image.paste(planks, (0, 0), floor)
        draw = ImageDraw.Draw(image)
        # Skirting along the back wall and the ceiling edge.
        draw.line([(left, lower), (right, lower)], fill=shade(wall, 0.7), width=3 * SCALE)
        draw.line([(left, upper), (right, upper)], fill=shade(wall, 0.82), width=2 * SCALE)
        draw.line([(left, upper), (left, lower)], fill=shade(wall, 0.8), width=SCALE)
        draw.line([(right, upper), (right, lower)], fill=shade(wall, 0.8), width=SCALE)

    def window(self, image: Image.Image, view: str, *, wide: bool) -> tuple:
        left, upper, right, lower = self.back
        rng = self.rng
        width = (right - left) * (rng.uniform(0.62, 0.82) if wide else rng.uniform(0.30, 0.42))
        x0 = left + rng.uniform(0.06, 0.94) * ((right - left) - width)
        y0 = upper + (lower - upper) * rng.uniform(0.08, 0.14)
        y1 = upper + (lower - upper) * (rng.uniform(0.78, 0.92) if wide else rng.uniform(0.55, 0.66))
        x1 = x0 + width
        box = (round(x0), round(y0), round(x1), round(y1))
        size = (box[2] - box[0], box[3] - box[1])
        sky_top, sky_bottom = rng.choice(
            [
                ((120, 170, 225), (214, 232, 246)),
                ((250, 186, 130), (252, 226, 190)),
                ((96, 150, 214), (196, 222, 244)),
            ]
        )
        scene = gradient(size, sky_top, sky_bottom)
        draw = ImageDraw.Draw(scene)
        horizon = size[1] * rng.uniform(0.52, 0.66)
        if view == "sea":
            sea = gradient((size[0], size[1] - round(horizon)), (60, 120, 170), (110, 170, 205))
            scene.paste(sea, (0, round(horizon)))
            for n in range(6):
                y = horizon + (size[1] - horizon) * (n + 1) / 7
                draw.line(
                    [(size[0] * 0.1 * n, y), (size[0] * (0.3 + 0.1 * n), y)],
                    fill=(190, 220, 236),
                    width=SCALE,
                )
        elif view == "city":
            x = 0
            while x < size[0]:
                w = rng.uniform(0.06, 0.14) * size[0]
                h = rng.uniform(0.18, 0.55) * size[1]
                tone = rng.randrange(120, 175)
                draw.rectangle([x, size[1] - h, x + w - SCALE, size[1]], fill=(tone, tone + 6, tone + 16))
                for wy in range(int(size[1] - h + 8 * SCALE), size[1], 9 * SCALE):
                    draw.line(
                        [(x + 3 * SCALE, wy), (x + w - 4 * SCALE, wy)], fill=(tone + 30,) * 3, width=SCALE
                    )
                x += w
        else:  # trees and a hill
            draw.ellipse([-size[0] * 0.2, horizon, size[0] * 0.7, size[1] * 1.6], fill=(120, 160, 110))
            draw.ellipse([size[0] * 0.4, horizon * 1.05, size[0] * 1.3, size[1] * 1.7], fill=(96, 140, 96))
            for _ in range(5):
                cx, cy, rad = (
                    rng.uniform(0, size[0]),
                    horizon + rng.uniform(0, 40) * SCALE,
                    rng.uniform(18, 34) * SCALE,
                )
                draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=(76, 124, 80))
        image.paste(scene, box[:2])
        draw = ImageDraw.Draw(image)
        frame = (250, 250, 248)
        draw.rectangle(box, outline=frame, width=5 * SCALE)
        draw.line([((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)], fill=frame, width=4 * SCALE)
        # Sheer curtains either side.
        for side in (x0 - 22 * SCALE, x1 - 8 * SCALE):
            curtain = Image.new("RGB", (30 * SCALE, round(y1 - y0 + 30 * SCALE)), (246, 242, 232))
            mask = Image.new("L", curtain.size, 170)
            image.paste(curtain, (round(side), round(y0 - 14 * SCALE)), mask)
        return box

    def bed(self, image: Image.Image, *, twin: bool, fabric: tuple) -> None:
        left, upper, right, lower = self.back
        draw = ImageDraw.Draw(image)
        rng = self.rng
        centre = (left + right) / 2 + rng.uniform(-0.12, 0.12) * (right - left)
        beds = [centre - (right - left) * 0.2, centre + (right - left) * 0.2] if twin else [centre]
        half = (right - left) * (0.11 if twin else 0.22)
        for x in beds:
            head_top = lower - (lower - upper) * 0.42
            draw.rounded_rectangle(
                [x - half * 1.05, head_top, x + half * 1.05, lower],
                radius=10 * SCALE,
                fill=shade(fabric, 0.75),
            )
            # The mattress comes towards the viewer and widens with depth.
            depth = 0.55
            front_y = lower + (H - lower) * depth
            spread = 1 + depth * (0.6 if twin else 1.25)
            top_y = lower - (lower - upper) * 0.16
            mattress = [
                (x - half, top_y),
                (x + half, top_y),
                (x + half * spread, front_y - 40 * SCALE),
                (x - half * spread, front_y - 40 * SCALE),
            ]
            draw.polygon(mattress, fill=(248, 248, 246))
            draw.polygon(
                [
                    (x - half * spread, front_y - 40 * SCALE),
                    (x + half * spread, front_y - 40 * SCALE),
                    (x + half * spread, front_y),
                    (x - half * spread, front_y),
                ],
                fill=(226, 226, 224),
            )
            # A throw across the foot of the bed.
            throw_y = top_y + (front_y - 40 * SCALE - top_y) * 0.62
            k = 1 + (spread - 1) * 0.62
            draw.polygon(
                [
                    (x - half * k, throw_y),
                    (x + half * k, throw_y),
                    (x + half * spread, front_y - 40 * SCALE),
                    (x - half * spread, front_y - 40 * SCALE),
                ],
                fill=fabric,
            )
            draw.rectangle(
                [x - half * spread, front_y - 40 * SCALE, x + half * spread, front_y - 22 * SCALE],
                fill=shade(fabric, 0.85),
            )
            pillows = 1 if twin else 2
            for p in range(pillows):
                px = x - half * 0.5 + (p * half if pillows == 2 else half * 0.5)
                draw.rounded_rectangle(
                    [px - half * 0.42, top_y - 26 * SCALE, px + half * 0.42, top_y + 6 * SCALE],
                    radius=10 * SCALE,
                    fill=(252, 252, 250),
                    outline=(228, 228, 226),
                )

    def side_table_and_lamp(self, image: Image.Image) -> Image.Image:
        left, upper, right, lower = self.back
        draw = ImageDraw.Draw(image)
        x = left + (right - left) * self.rng.choice([0.1, 0.9])
        wood = shade(self.floor, 0.8)
        draw.rectangle([x - 28 * SCALE, lower - 60 * SCALE, x + 28 * SCALE, lower + 4 * SCALE], fill=wood)
        draw.line([(x, lower - 60 * SCALE), (x, lower - 100 * SCALE)], fill=(90, 80, 70), width=2 * SCALE)
        draw.polygon(
            [
                (x - 24 * SCALE, lower - 96 * SCALE),
                (x + 24 * SCALE, lower - 96 * SCALE),
                (x + 16 * SCALE, lower - 130 * SCALE),
                (x - 16 * SCALE, lower - 130 * SCALE),
            ],
            fill=(250, 236, 206),
        )
        return glow(image, (x, lower - 112 * SCALE), 120 * SCALE, (255, 200, 130), 0.55)

    def picture(self, image: Image.Image, window: tuple) -> None:
        left, upper, right, lower = self.back
        draw = ImageDraw.Draw(image)
        # Above the bed, or on the wall beside the window.
        width = (right - left) * 0.22
        x0 = (
            left + (right - left) * 0.05
            if window[0] - left > (right - window[2])
            else right - (right - left) * 0.05 - width
        )
        if window[0] - left < width + 20 * SCALE and right - window[2] < width + 20 * SCALE:
            return
        y0 = upper + (lower - upper) * 0.2
        draw.rectangle([x0, y0, x0 + width, y0 + width * 0.7], fill=(60, 56, 52))
        inner = gradient(
            (round(width - 12 * SCALE), round(width * 0.7 - 12 * SCALE)),
            self.rng.choice(FABRICS),
            (238, 226, 206),
        )
        image.paste(inner, (round(x0 + 6 * SCALE), round(y0 + 6 * SCALE)))

    def sofa(self, image: Image.Image, fabric: tuple) -> None:
        left, upper, right, lower = self.back
        draw = ImageDraw.Draw(image)
        width = (right - left) * self.rng.uniform(0.5, 0.62)
        x0 = left + ((right - left) - width) * self.rng.uniform(0.2, 0.8)
        top = lower - (lower - upper) * 0.30
        front = lower + (H - lower) * 0.22
        draw.rounded_rectangle(
            [x0, top, x0 + width, lower + 8 * SCALE], radius=14 * SCALE, fill=shade(fabric, 0.8)
        )
        draw.rounded_rectangle(
            [x0 - 14 * SCALE, lower - (lower - upper) * 0.16, x0 + width + 14 * SCALE, front],
            radius=12 * SCALE,
            fill=fabric,
        )
        for n in range(3):
            cx = x0 + width * (n + 0.5) / 3
            draw.rounded_rectangle(
                [cx - width / 7, top + 10 * SCALE, cx + width / 7, lower - (lower - upper) * 0.12],
                radius=10 * SCALE,
                fill=shade(fabric, 1.12),
            )
        # A rug and a low table in front.
        rug_y = front + 14 * SCALE
        draw.polygon(
            [
                (x0 - 40 * SCALE, rug_y),
                (x0 + width + 40 * SCALE, rug_y),
                (x0 + width + 140 * SCALE, H - 30 * SCALE),
                (x0 - 140 * SCALE, H - 30 * SCALE),
            ],
            fill=mix(self.wall, fabric, 0.3),
        )
        table_y = rug_y + (H - rug_y) * 0.35
        draw.rounded_rectangle(
            [x0 + width * 0.2, table_y, x0 + width * 0.8, table_y + 24 * SCALE],
            radius=8 * SCALE,
            fill=shade(self.floor, 0.7),
        )

    def plant(self, image: Image.Image) -> None:
        left, upper, right, lower = self.back
        draw = ImageDraw.Draw(image)
        x = self.rng.choice([left - 40 * SCALE, right + 40 * SCALE])
        base = lower + (H - lower) * 0.3
        draw.rectangle([x - 26 * SCALE, base - 50 * SCALE, x + 26 * SCALE, base], fill=(236, 232, 224))
        for n in range(9):
            angle = -0.9 + n * 0.22
            tip = (
                x + angle * 90 * SCALE,
                base - 90 * SCALE - abs(angle) * -40 * SCALE - (n % 3) * 24 * SCALE,
            )
            draw.ellipse(
                [tip[0] - 22 * SCALE, tip[1] - 12 * SCALE, tip[0] + 22 * SCALE, tip[1] + 12 * SCALE],
                fill=(70 + n * 6, 130 + n * 4, 80),
            )
            draw.line([(x, base - 50 * SCALE), tip], fill=(70, 110, 70), width=2 * SCALE)

    def kitchen(self, image: Image.Image) -> None:
        left, upper, right, lower = self.back
        draw = ImageDraw.Draw(image)
        counter_top = lower - (lower - upper) * 0.34
        cabinet = self.rng.choice([(244, 244, 240), (200, 210, 214), (214, 196, 170)])
        draw.rectangle([left, counter_top, right, lower], fill=cabinet)
        draw.rectangle([left, counter_top - 6 * SCALE, right, counter_top + 4 * SCALE], fill=(120, 120, 118))
        doors = 6
        for n in range(doors):
            x = left + (right - left) * n / doors
            draw.rectangle(
                [
                    x + 3 * SCALE,
                    counter_top + 12 * SCALE,
                    x + (right - left) / doors - 3 * SCALE,
                    lower - 6 * SCALE,
                ],
                outline=shade(cabinet, 0.85),
                width=SCALE,
            )
        draw.rectangle(
            [left, upper + 6 * SCALE, left + (right - left) * 0.35, upper + (lower - upper) * 0.3],
            fill=cabinet,
            outline=shade(cabinet, 0.85),
            width=SCALE,
        )

    def finish(self, image: Image.Image) -> Image.Image:
        # Daylight from the window side and a soft vignette, then scale down for smooth edges.
        left, upper, right, lower = self.back
        image = glow(
            image,
            ((left + right) / 2, (upper + lower) / 2),
            round((right - left) * 0.6),
            (255, 246, 230),
            0.22,
        )
        vignette = Image.new("L", image.size, 0)
        ImageDraw.Draw(vignette).ellipse([-W * 0.2, -H * 0.25, W * 1.2, H * 1.25], fill=255)
        vignette = vignette.filter(ImageFilter.GaussianBlur(120 * SCALE))
        image = Image.composite(image, shade_image(image, 0.8), vignette)
        return image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)


def shade_image(image: Image.Image, factor: float) -> Image.Image:
    return image.point(lambda value: round(value * factor))


def hotel_room(seed: int) -> Image.Image:
    rng = random.Random(seed)
    room = Room(rng)
    image = Image.new("RGB", (W, H))
    room.draw_shell(image)
    window = room.window(image, rng.choice(["sea", "sea", "city", "trees"]), wide=rng.random() < 0.6)
    room.picture(image, window)
    room.bed(image, twin=seed % 3 == 1, fabric=rng.choice(FABRICS))
    image = room.side_table_and_lamp(image)
    return room.finish(image)


def home(seed: int) -> Image.Image:
    rng = random.Random(seed)
    room = Room(rng)
    image = Image.new("RGB", (W, H))
    room.draw_shell(image)
    kind = ["living", "bedroom", "kitchen", "empty"][seed % 4]
    window = room.window(image, rng.choice(["city", "trees", "city"]), wide=kind in ("living", "empty"))
    if kind == "living":
        room.sofa(image, rng.choice(FABRICS))
        room.plant(image)
    elif kind == "bedroom":
        room.picture(image, window)
        room.bed(image, twin=False, fabric=rng.choice(FABRICS))
        image = room.side_table_and_lamp(image)
    elif kind == "kitchen":
        room.kitchen(image)
        room.plant(image)
    else:
        room.plant(image)
    return room.finish(image)


def main() -> int:
    targets = [
        (ROOT / "bookings" / "demo_photos", "room", hotel_room, 12),
        (ROOT / "listings" / "demo_photos", "home", home, 18),
    ]
    total = 0
    for folder, prefix, render, count in targets:
        folder.mkdir(parents=True, exist_ok=True)
        for n in range(count):
            path = folder / f"{prefix}-{n + 1:02d}.jpg"
            render(n * 7 + 3).save(path, format="JPEG", quality=80, optimize=True, progressive=True)
            total += path.stat().st_size
    print(f"{total / 1024:.0f} KiB of demo photos")
    return 0


if __name__ == "__main__":
    sys.exit(main())
