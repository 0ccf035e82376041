"""Listings test data: brokerages, landlords and consumers' safe-number contacts. Listings themselves are made
through the listing service (the `make_listing` fixture), which validates and publishes them."""

import factory
from factory.django import DjangoModelFactory

from listings.models import ListingContact
from tests.factories import MembershipFactory, PartnerFactory, UserFactory
from trustplatform.partners.models import Membership, Partner


class BrokerageFactory(PartnerFactory):
    """An approved brokerage and its owner's membership.

    Pass `owner=user` to make someone else the owner, or `owner__phone=...` to shape the default one.
    """

    class Meta:
        skip_postgeneration_save = True

    kind = Partner.Kind.BROKERAGE
    name = factory.Sequence(lambda n: f"중개사무소 {n + 1}")

    @factory.post_generation
    def owner(partner, create, extracted, **kwargs):
        if not create:
            return
        owner = extracted or UserFactory(**kwargs)
        MembershipFactory(user=owner, partner=partner, role=Membership.Role.OWNER)
        partner.owner = owner


class LandlordFactory(BrokerageFactory):
    """An approved landlord partner whose representative is the owner's name, and its owner's membership."""

    kind = Partner.Kind.LANDLORD
    name = factory.Sequence(lambda n: f"임대인 {n + 1}")
    representative = "정하은"


class ListingContactFactory(DjangoModelFactory):
    """A consumer reached the broker about a listing through a safe number.

    `listing` has no default: pass one made through the service (`make_listing`, the `listing` fixture).
    """

    class Meta:
        model = ListingContact

    consumer = factory.SubFactory(UserFactory)
