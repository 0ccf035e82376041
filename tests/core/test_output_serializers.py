"""Output serializers bind copies of their declared fields made without DRF's deep copy: the answers
must be the ones DRF's own copy gives, and no instance may bind a field another instance holds."""

import datetime
import types

from django.utils import timezone
from rest_framework import serializers

from trustplatform.api.serializers import OutputSerializer


class _Line(OutputSerializer):
    label = serializers.CharField()
    amount_krw = serializers.IntegerField()


class _Answer(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="owner.name")
    kind = serializers.ChoiceField(choices=[("lodging", "숙박"), ("broker", "중개")])
    created_at = serializers.DateTimeField()
    day = serializers.DateField(format="%Y-%m-%d")
    greeting = serializers.SerializerMethodField()
    tags = serializers.ListField(child=serializers.CharField())
    lines = _Line(many=True)
    first = _Line(source="owner.first_line")
    everything = serializers.SerializerMethodField(method_name="everything_for")

    def get_greeting(self, obj):
        return f"{self.context.get('who', '손님')}님, {obj.owner.name}"

    def everything_for(self, obj):
        return sorted(self.fields)


class _AnswerWithDrfCopies(_Answer):
    """The same serializer with DRF's own per-instance deep copy of the declared fields."""

    def get_fields(self):
        return serializers.Serializer.get_fields(self)


def _thing(pk: int, name: str):
    return types.SimpleNamespace(
        id=pk,
        owner=types.SimpleNamespace(
            name=name, first_line=types.SimpleNamespace(label="숙박", amount_krw=120_000)
        ),
        kind="lodging",
        created_at=timezone.make_aware(datetime.datetime(2026, 12, 7, 9, 30)),
        day=datetime.date(2026, 12, 24),
        tags=["바다", "조식"],
        lines=[types.SimpleNamespace(label="숙박", amount_krw=120_000),
               types.SimpleNamespace(label="수수료", amount_krw=3_600)],
    )


def test_an_answer_is_the_one_drf_s_own_field_copies_give():
    thing = _thing(7, "안심 게스트하우스")
    ours = _Answer(thing, context={"who": "김안심"}).data
    drf = _AnswerWithDrfCopies(thing, context={"who": "김안심"}).data
    assert ours == drf
    assert ours["name"] == "안심 게스트하우스" and ours["greeting"] == "김안심님, 안심 게스트하우스"
    assert ours["lines"][1] == {"label": "수수료", "amount_krw": 3600}
    assert ours["first"] == {"label": "숙박", "amount_krw": 120000}
    assert ours["day"] == "2026-12-24" and ours["created_at"].startswith("2026-12-07T09:30:00")


def test_each_instance_binds_fields_of_its_own_and_the_declared_ones_stay_unbound():
    first, second = _Answer(_thing(1, "가")), _Answer(_thing(2, "나"))
    for name in _Answer._declared_fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
        declared = _Answer._declared_fields[name]
        assert declared is not first.fields[name] and getattr(declared, "parent", None) is None
    # Nested serializers and list fields keep DRF's deep copy: their children are bound per instance too.
    assert first.fields["lines"].child is not second.fields["lines"].child
    assert first.fields["tags"].child is not second.fields["tags"].child
    assert first.fields["tags"].child.parent is first.fields["tags"]
    # The method field finds the method on its own instance, with that instance's context.
    assert _Answer(_thing(3, "다"), context={"who": "박"}).data["greeting"] == "박님, 다"
    assert _Answer(_thing(4, "라")).data["greeting"] == "손님님, 라"


def test_a_field_changed_on_one_instance_leaves_the_next_instance_alone():
    changed = _Answer(_thing(5, "마"))
    changed.fields["name"].source_attrs = ["kind"]
    changed.fields.pop("tags")
    assert changed.data["name"] == "lodging" and "tags" not in changed.data
    again = _Answer(_thing(5, "마")).data
    assert again["name"] == "마" and again["tags"] == ["바다", "조식"]


def test_a_field_annotated_after_it_was_built_is_copied_as_drf_copies_it():
    """drf-spectacular's `extend_schema_field` on a field instance sets an attribute DRF's copy (built
    from the constructor's arguments) does not carry: such a field keeps DRF's copy, so the schema and
    the answers are DRF's."""
    from drf_spectacular.utils import extend_schema_field

    class Annotated(OutputSerializer):
        kind = extend_schema_field({"type": "string", "enum": ["a", "b"]})(serializers.CharField())
        name = serializers.CharField()

    first = Annotated(types.SimpleNamespace(kind="a", name="가"))
    drf = serializers.Serializer.get_fields(first)
    assert first.data == {"kind": "a", "name": "가"}
    for name in ("kind", "name"):
        assert set(first.fields[name].__dict__) - {"field_name", "parent", "source_attrs"} == set(
            drf[name].__dict__
        ) - {"field_name", "parent", "source_attrs"}
    assert not hasattr(first.fields["kind"], "_spectacular_annotation")
    assert hasattr(Annotated._declared_fields["kind"], "_spectacular_annotation")
