from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One legal-dong code (행정표준코드 법정동코드) and its area, current or abolished.

    The ten digits are 2 for the 시/도, 3 for the 시/군/구, 3 for the 읍/면/동 and 2 for the 리; a code
    ending in zeros names the larger area. A code once issued stays here for good: an abolished one is
    kept so what was stored under it stays findable, and points to its `successor` when one current
    area took over the whole of it (never when it was split between several).

    Reference data, loaded by the migrations and `manage.py regions_import`, never by hand: the model is
    unmanaged so that a flush (every test that commits ends with one) leaves its fifty thousand rows in
    place. Its migrations therefore change the table themselves (SeparateDatabaseAndState: see 0001);
    makemigrations writes nothing for a change here.
    """

    class Level(models.IntegerChoices):
        SIDO = 1, _("Province or metropolitan city (시/도)")
        SIGUNGU = 2, _("City, county or district (시/군/구)")
        DONG = 3, _("Town, township or neighbourhood (읍/면/동)")
        RI = 4, _("Village (리)")

    code = models.CharField(_("legal-dong code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=100, help_text=_("The whole name, province first."))
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_current = models.BooleanField(_("in use"), default=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    # Which official list or which change since (trustplatform/regions/changes.py) last set this row.
    source = models.CharField(_("source"), max_length=60, blank=True)

    class Meta:
        managed = False
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["is_current", "level"], name="regions_current_level")]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{10}$"), name="regions_code_ten_digits"),
            # Only an abolished code is replaced, and never by itself.
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | (Q(is_current=False) & ~Q(successor=F("code"))),
                name="regions_successor_of_abolished_only",
            ),
        ]

    def __str__(self) -> str:
        if self.is_current:
            return self.name
        return _("%(name)s (%(code)s, no longer in use)") % {"name": self.name, "code": self.code}

    @property
    def leaf_name(self) -> str:
        """The last part of the name: 서교동 for 서울특별시 마포구 서교동."""
        return self.name.rsplit(" ", 1)[-1]


def level_of(code: str) -> int:
    """The level a ten-digit code names, from where its trailing zeros start."""
    if code[2:] == "00000000":
        return Region.Level.SIDO
    if code[5:] == "00000":
        return Region.Level.SIGUNGU
    if code[8:] == "00":
        return Region.Level.DONG
    return Region.Level.RI
