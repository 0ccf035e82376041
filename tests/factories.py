from functools import cache

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import translation
from factory.django import DjangoModelFactory

from trustplatform.accounts.models import User
from trustplatform.partners.models import Membership, Partner

# Valid business registration numbers (their check digits match), one per partner in a test.
VALID_BRNS = ["1248100998", "2208162517", "1078155843", "1018100340", "1208147521", "2148705643",
              "1138600917", "1068134544"]

PASSWORD = "correct-horse-battery-staple"


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


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = Membership.Role.OWNER
