"""Property registry checks (등기부등본): who owns a unit and what liens sit on it.

The sandbox reads `SandboxRegistryRecord` rows that staff and tests edit; a real adapter would call
the court registry service. Either answers the same snapshot.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class RegistrySnapshot:
    owner: str
    liens: tuple[str, ...]
    # The owner's mobile number where the registry service gives one ("" otherwise); a contact to
    # reach the owner by, never part of what is compared or stored as a baseline.
    owner_phone: str = ""

    def as_dict(self) -> dict:
        return {"owner": self.owner, "liens": list(self.liens)}


class RegistryUnavailable(Exception):
    """Transient: the check is retried, and money never moves on an unknown registry state."""


class RegistryProvider:
    def snapshot(self, *, address: str) -> RegistrySnapshot:
        raise NotImplementedError


class SandboxRegistry(RegistryProvider):
    def snapshot(self, *, address: str) -> RegistrySnapshot:
        from .models import SandboxRegistryRecord

        record = SandboxRegistryRecord.objects.filter(address=address).first()
        if record is None:
            return RegistrySnapshot(owner="", liens=())
        return RegistrySnapshot(owner=record.owner_name, liens=tuple(record.liens),
                                owner_phone=record.owner_phone)


def get_registry() -> RegistryProvider:
    return import_string(settings.REGISTRY_PROVIDER)()
