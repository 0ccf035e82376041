"""Test data for the core models, built one way: factory_boy. Apps keep theirs in tests/<app>/factories.py."""

import itertools
from functools import cache

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from factory.django import DjangoModelFactory

from trustplatform import pii
from trustplatform.accounts.models import User
from trustplatform.api.models import IdempotentRequest
from trustplatform.notifications.models import OutboundMessage
from trustplatform.partners.models import Membership, Partner
from trustplatform.payments.models import Payout, PayoutAccount
from trustplatform.registries.models import SandboxRegistryRecord

# Valid business registration numbers (their check digits match), one per partner in a test.
VALID_BRNS = ["1248100998", "2208162517", "1078155843", "1018100340", "1208147521", "2148705643",
              "1138600917", "1068134544"]

PASSWORD = "correct-horse-battery-staple"


_phones = itertools.count(1000)


def mobile_number(tail: str = "1234") -> str:
    """A distinct Korean mobile number, +8210 NNNN <tail>: one counter for every number, so numbers with
    different tails (guests 1234, lodging owners 7777, properties 5555) never meet."""
    return f"+8210{next(_phones):04d}{tail}"


@cache
def password_hash() -> str:
    """PASSWORD hashed once with the real hasher: hashing is slow by design (~0.3 s), and a test
    that builds a hundred users needs a hundred logins' worth of passwords, not a hundred hashes."""
    return make_password(PASSWORD)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.kr")
    full_name = factory.Faker("name", locale="ko_KR")
    password = factory.LazyFunction(password_hash)
    # People read their notices in their own language; a test's people read the one it checks.
    language = factory.LazyFunction(
        lambda: (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    )

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A staff member, in the staff group named by `group` (agents, inspectors, finance) if given."""

    is_staff = True

    @factory.post_generation
    def group(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.add(Group.objects.get(name=extracted))


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"안심숙박 {n}호점")
    kind = Partner.Kind.LODGING
    registration_number = factory.Sequence(lambda n: VALID_BRNS[n % len(VALID_BRNS)])
    representative = factory.Faker("name", locale="ko_KR")
    contact_email = factory.Sequence(lambda n: f"biz{n}@example.kr")
    address = "서울특별시 마포구 양화로 45"
    applied_by = factory.SubFactory(UserFactory)
    status = Partner.Status.APPROVED


class IndividualLandlordFactory(PartnerFactory):
    """A landlord with no business number, whose identity the provider verified."""

    name = factory.Sequence(lambda n: f"개인 임대인 {n}")
    kind = Partner.Kind.LANDLORD
    registration_number = ""
    representative = "홍길동"
    identity_verification_id = factory.Sequence(lambda n: f"ansim-iv-0-{n:020x}")
    identity_verified_at = factory.LazyFunction(timezone.now)
    verified_name = "홍길동"
    verified_birth_date = "1985-03-14"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = Membership.Role.OWNER


class VerifiedUserFactory(UserFactory):
    """A user whose mobile number is verified (safe numbers and texts need one)."""

    phone = factory.LazyFunction(mobile_number)
    phone_verified_at = factory.LazyFunction(timezone.now)


class SandboxRegistryRecordFactory(DjangoModelFactory):
    """What the sandbox registry answers for an address. The address is the record's key: building one
    for an address already on file states the registry's answer again (an update, not a duplicate)."""

    class Meta:
        model = SandboxRegistryRecord

    address = factory.Sequence(lambda n: f"서울특별시 마포구 양화로 {n + 1}, 302호")
    owner_name = "홍길동"
    liens = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        address = kwargs.pop("address")
        record, _created = model_class._default_manager.update_or_create(address=address, defaults=kwargs)
        return record


class IdempotentRequestFactory(DjangoModelFactory):
    """A stored answer to an API POST made with an Idempotency-Key."""

    class Meta:
        model = IdempotentRequest

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    fingerprint = "f"
    status_code = 201
    response = factory.LazyFunction(dict)


class PayoutAccountFactory(DjangoModelFactory):
    """A partner's bank account as if its holder had been checked with the sandbox bank, payouts open
    now. Tests of the check itself register accounts through payout_account_register instead."""

    class Meta:
        model = PayoutAccount

    partner = factory.SubFactory(PartnerFactory)
    user = None
    bank = "SHINHAN"
    number = factory.Sequence(lambda n: f"1101{n:08d}")
    number_hint = factory.LazyAttribute(lambda account: f"•••• {account.number[-4:]}")
    holder = factory.LazyAttribute(lambda account: account.partner.representative if account.partner
                                   else account.user.full_name)
    provider = "sandbox"
    provider_payee_id = factory.LazyAttribute(
        lambda account: f"partner-{account.partner.pk}" if account.partner else f"user-{account.user.pk}")
    verified_at = factory.LazyFunction(timezone.now)
    payouts_from = factory.LazyFunction(timezone.now)
    registered_by = factory.SubFactory(UserFactory)


class PayoutFactory(DjangoModelFactory):
    """A payout row. `hold` has no default: pass the ledger hold made for it (ledger_hold)."""

    class Meta:
        model = Payout

    partner = factory.SubFactory(PartnerFactory)
    amount_krw = 1_000
    provider = "sandbox"
    provider_payout_id = factory.Sequence(lambda n: f"p-{n}")
    requested_by = factory.SubFactory(UserFactory)


class OutboundMessageFactory(DjangoModelFactory):
    """A text in the outbox, queued, with no delivery task published for it."""

    class Meta:
        model = OutboundMessage

    channel = OutboundMessage.Channel.SMS
    recipient = factory.LazyFunction(mobile_number)
    recipient_hint = factory.LazyAttribute(lambda message: pii.mask_phone(message.recipient))
    body = factory.Sequence(lambda n: f"[Ansim] 안내 {n}")
    idempotency_key = factory.Sequence(lambda n: f"test-message-{n}")
