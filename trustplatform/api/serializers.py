from django.utils.translation import gettext as _
from rest_framework import serializers


class _NamedByOuterClass:
    """Nested `Input`/`Output` classes get schema names from their view (`TokenCreateApiInput`)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "." in cls.__qualname__:
            cls.__name__ = cls.__qualname__.replace(".", "")


class OutputSerializer(_NamedByOuterClass, serializers.Serializer):
    """Base for nested response serializers."""


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
