import copy
import re
import weakref

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from trustplatform.forms import MAX_AMOUNT_KRW

# A JSON number, or a string of ASCII digits: int() alone also reads "１２" and other Unicode digits.
_ASCII_INTEGER = re.compile(r"-?[0-9]{1,20}")


class _NamedByOuterClass:
    """Nested `Input`/`Output` classes get schema names from their view (`TokenCreateApiInput`)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "." in cls.__qualname__:
            cls.__name__ = cls.__qualname__.replace(".", "")


# Per declared field: whether a copy of its attributes is what DRF's deep copy would give.
_COPIES_BY_ATTRIBUTES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _copies_by_attributes(field) -> bool:
    """Whether a copy of the field's attributes equals DRF's copy of it, decided once per declared field.

    Not for fields that hold other fields (nested serializers, list and dict fields, related fields):
    each instance must bind children of its own. Not for a field given an attribute after it was built
    (drf-spectacular's `extend_schema_field` on an instance): DRF's copy, built from the constructor's
    arguments, drops it, and the schema and the answers stay what DRF makes of them.
    """
    known = _COPIES_BY_ATTRIBUTES.get(field)
    if known is None:
        if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(
            field, "child_relation"
        ):
            known = False
        else:
            known = set(copy.deepcopy(field).__dict__) == set(field.__dict__)
        _COPIES_BY_ATTRIBUTES[field] = known
    return known


def _output_field_copy(field):
    """A declared field's copy for one output serializer instance to bind.

    DRF deep-copies every declared field for every serializer instance by calling its constructor again
    with the original arguments: 37 µs of the 47 µs a four-field answer took to serialize. An output
    field's state is its constructor's arguments, and binding it only assigns attributes (name, parent,
    source), so a copy of its attributes serves as well where it equals DRF's copy
    (`_copies_by_attributes`); other fields keep DRF's deep copy.
    """
    if not _copies_by_attributes(field):
        return copy.deepcopy(field)
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


class OutputSerializer(_NamedByOuterClass, serializers.Serializer):
    """Base for nested response serializers."""

    def get_fields(self):
        return {name: _output_field_copy(field) for name, field in self._declared_fields.items()}


class InputSerializer(_NamedByOuterClass, serializers.Serializer):
    """Base for request bodies: a field the API does not know is an error, not silently dropped."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Expected a JSON object.")]}, code="invalid"
            )
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [serializers.ErrorDetail(_("Unknown field."), code="unknown_field")]
                 for name in unknown}
            )
        return super().to_internal_value(data)


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer, for the OpenAPI schema."""

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class WonField(serializers.IntegerField):
    """A whole amount of won: a JSON integer (or ASCII digits in a string), from `min_value` to `max_value`.

    The bounds are always set, so no amount reaches a 64-bit column that cannot hold it.
    """

    default_error_messages = {
        "invalid": gettext_lazy("A whole number of won is required, in ASCII digits."),
    }

    def __init__(self, *, min_value: int = 1, max_value: int = MAX_AMOUNT_KRW, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, float) and data.is_integer():
            data = int(data)  # 12.0 is the JSON integer 12 to JSON Schema, and so to the schema
        if isinstance(data, str) and _ASCII_INTEGER.fullmatch(data):
            data = int(data)
        if not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)

