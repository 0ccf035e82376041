"""Response shapes of the listings API. No output about a report ever names its reporter to a broker."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trustplatform.api.serializers import OutputSerializer
from trustplatform.pii import mask_name

from ..models import Listing, ListingContact, Verification
from ..selectors import landlord_shown, standing_of


class BrokerOutput(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    trusted_badge = serializers.SerializerMethodField(help_text="Holds the 안심중개사 badge now.")
    public_notice = serializers.SerializerMethodField(help_text="Flagged for repeated confirmed fakes.")

    @extend_schema_field(serializers.BooleanField())
    def get_trusted_badge(self, partner) -> bool:
        return standing_of(partner).has_badge

    @extend_schema_field(serializers.BooleanField())
    def get_public_notice(self, partner) -> bool:
        return standing_of(partner).public_notice_at is not None


class PhotoOutput(OutputSerializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    @extend_schema_field(serializers.CharField())
    def get_url(self, photo) -> str:
        return photo.image.url


class VerificationLevelOutput(OutputSerializer):
    level = serializers.IntegerField(
        source="level_now", help_text="0 none, 1 phone, 2 text link, 3 registry, 4 on site."
    )
    label = serializers.CharField(source="level_label")
    expires_at = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, listing):
        return listing.verification_expires_at if listing.level_now else None


class ListingOutput(OutputSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    region = serializers.CharField(source="region_label")
    sido_code = serializers.CharField()
    sigungu_code = serializers.CharField()
    dong_code = serializers.CharField()
    address = serializers.CharField()
    deal_type = serializers.CharField()
    deposit_krw = serializers.IntegerField()
    monthly_rent_krw = serializers.IntegerField()
    price_krw = serializers.IntegerField()
    maintenance_fee_krw = serializers.IntegerField(
        allow_null=True, help_text="관리비, won a month: 0 none, null not stated by the broker."
    )
    size_m2 = serializers.DecimalField(max_digits=7, decimal_places=2)
    floor = serializers.IntegerField()
    rooms = serializers.IntegerField()
    verification = VerificationLevelOutput(source="*")
    broker = BrokerOutput(source="partner")
    published_at = serializers.DateTimeField(allow_null=True)


class ListingDetailOutput(ListingOutput):
    building_type = serializers.ChoiceField(
        choices=[("", "not stated"), *Listing.BuildingType.choices],
        help_text="apartment, officetel, villa (빌라·다세대) or house (단독·다가구); blank when not stated.",
    )
    built_year = serializers.IntegerField(
        allow_null=True, help_text="The year the building was finished (준공); null when not stated."
    )
    description = serializers.CharField()
    maintenance_includes = serializers.ListField(
        child=serializers.ChoiceField(choices=Listing.FeeItem.choices), help_text="What the fee covers."
    )
    photos = PhotoOutput(source="photos.all", many=True)
    deposit_payee = serializers.SerializerMethodField(
        help_text="The landlord an escrowed deposit is paid to, masked (김*수); empty while no landlord has "
        "claimed the listing, and then no deposit can be started. Never the broker."
    )

    @extend_schema_field(serializers.CharField())
    def get_deposit_payee(self, listing) -> str:
        return landlord_shown(listing)


class LinkedLandlordOutput(OutputSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class SearchPageOutput(OutputSerializer):
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    results = ListingOutput(many=True)


class PartnerListingOutput(ListingDetailOutput):
    unit = serializers.CharField()
    archive_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    refreshed_at = serializers.DateTimeField()
    landlord = LinkedLandlordOutput(
        allow_null=True, help_text="The landlord who claimed the listing; deposits are paid to them."
    )
    landlord_linked_at = serializers.DateTimeField(allow_null=True)


class LandlordListingOutput(OutputSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    address = serializers.CharField()
    unit = serializers.CharField()
    deal_type = serializers.CharField()
    deposit_krw = serializers.IntegerField()
    monthly_rent_krw = serializers.IntegerField()
    broker = LinkedLandlordOutput(source="partner", help_text="The brokerage advertising it (never paid).")
    landlord_linked_at = serializers.DateTimeField()


class PartnerListingPageOutput(OutputSerializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PartnerListingOutput(many=True)


class VerificationOutput(OutputSerializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    level = serializers.ChoiceField(choices=Verification.Level.choices)
    status = serializers.CharField()
    owner_phone = serializers.CharField(source="owner_phone_hint", help_text="Masked.")
    requested_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)


class BrokerReportOutput(OutputSerializer):
    """A report as the broker sees it: what and when, never who."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    reason = serializers.CharField()
    details = serializers.CharField()
    status = serializers.CharField()
    respond_by = serializers.DateTimeField()
    broker_action = serializers.CharField()
    broker_response = serializers.CharField()
    created_at = serializers.DateTimeField()


class ContactOutcomeOutput(OutputSerializer):
    """The consumer's own enquiry and their answer on how it went."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    created_at = serializers.DateTimeField()
    outcome = serializers.CharField(help_text="Your answer: viewed, unavailable, other_offered, no_viewing.")
    outcome_at = serializers.DateTimeField(allow_null=True)
    report_suggested = serializers.SerializerMethodField(
        help_text="true when a different home was offered instead (a bait listing): file a report with "
        "POST /api/v1/listings/{listing}/reports/."
    )

    @extend_schema_field(serializers.BooleanField())
    def get_report_suggested(self, contact) -> bool:
        return contact.outcome == ListingContact.Outcome.OTHER_OFFERED


class BrokerContactOutput(OutputSerializer):
    """An enquiry about one of the brokerage's listings as the broker sees it: the customer masked."""

    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    created_at = serializers.DateTimeField()
    customer = serializers.SerializerMethodField(help_text="The customer's name, masked (김*지).")
    outcome = serializers.CharField(
        help_text="The customer's answer: viewed, unavailable, other_offered, no_viewing; blank if none yet."
    )
    outcome_at = serializers.DateTimeField(allow_null=True)
    broker_answer = serializers.CharField(help_text="Yours: available or contracted; blank if none yet.")
    broker_answer_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_customer(self, contact) -> str:
        return mask_name(contact.consumer.full_name) or "—"


class ConsumerReportOutput(OutputSerializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    reason = serializers.CharField()
    details = serializers.CharField()
    visited = serializers.BooleanField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class SuspensionOutput(OutputSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    lifted_at = serializers.DateTimeField(allow_null=True)


class AppealOutput(OutputSerializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    statement = serializers.CharField()
    decision_note = serializers.CharField()
    filed_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class StrikeOutput(OutputSerializer):
    id = serializers.IntegerField()
    listing = serializers.IntegerField(source="listing_id")
    severity = serializers.IntegerField()
    category = serializers.CharField()
    status = serializers.CharField()
    consequence = serializers.CharField()
    issued_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    appeal_until = serializers.DateTimeField()
    appeal = serializers.SerializerMethodField()
    suspensions = SuspensionOutput(source="suspensions.all", many=True)

    @extend_schema_field(AppealOutput(allow_null=True))
    def get_appeal(self, strike):
        appeal = getattr(strike, "appeal", None)
        return AppealOutput(appeal).data if appeal else None


class StandingOutput(OutputSerializer):
    badge = serializers.CharField()
    posting_suspended_until = serializers.DateTimeField(allow_null=True)
    removed_at = serializers.DateTimeField(allow_null=True)
    public_notice_at = serializers.DateTimeField(allow_null=True)
    may_post = serializers.BooleanField()


class InspectionOutput(OutputSerializer):
    id = serializers.IntegerField()
    listing = ListingOutput()
    unit = serializers.CharField(source="listing.unit")
    reason = serializers.CharField()
    priority = serializers.FloatField()
    status = serializers.CharField()
    outcome = serializers.CharField()
    fake_category = serializers.CharField()
    campaign = serializers.CharField(allow_null=True)
    visited_at = serializers.DateTimeField(allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


class RiskOutput(OutputSerializer):
    listing = serializers.IntegerField(source="listing_id")
    score = serializers.FloatField()
    components = serializers.DictField(child=serializers.DictField())
    version = serializers.CharField()
    computed_at = serializers.DateTimeField()


class CampaignOutput(OutputSerializer):
    id = serializers.IntegerField()
    month = serializers.DateField()
    seed = serializers.IntegerField()
    status = serializers.CharField()
    capacity = serializers.IntegerField()
    broker_cap = serializers.IntegerField()
    selected_areas = serializers.ListField(child=serializers.CharField())
    parameters = serializers.DictField()
    inspections = serializers.IntegerField(source="inspections.count")
