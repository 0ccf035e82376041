"""SOLAPI (솔라피), the Korean provider for texts, through its official SDK (`solapi`).

A notice whose kind has an approved 알림톡 template goes as 알림톡 with SOLAPI's own SMS fallback
(`disableSms` false: when KakaoTalk cannot deliver, SOLAPI sends the same text as SMS/LMS in the same
group and reports both); every other text goes as SMS (up to 90 bytes EUC-KR) or LMS. A 알림톡 SOLAPI
refuses at once for a Kakao reason (an unknown template, a text that is not the template's, a reader
who writes in English) is sent as a text at once instead.

SOLAPI signs nothing it posts back: its delivery reports are parsed here (`reports_parse`) and taken
only at a secret URL from allowed sources (webhooks.py).
"""

import json
import logging
from dataclasses import replace

import httpx
import phonenumbers
from django.conf import settings
from pydantic import ValidationError
from solapi import SolapiMessageService
from solapi.error.MessageNotReceiveError import MessageNotReceivedError
from solapi.model import KakaoOption, RequestMessage, SendRequestConfig
from solapi.model.webhook.single_report import SingleReportPayload

from .delivery import ReportData
from .sms import Sent, SmsBackend, SmsRejected, SmsUnavailable, text_type

logger = logging.getLogger(__name__)

# The notices sent as 알림톡 when SOLAPI_KAKAO_TEMPLATES gives their kind a template: information the
# reader is waiting for or must act on (a code, a confirmed stay, each step of the guarantee, money
# that did not arrive). Kakao allows 알림톡 for such notices only, never for advertising; every other
# notice goes as a text.
ALIMTALK_NOTICES = frozenset({
    "phone-verification",
    "booking:confirmed:guest",
    "booking:confirmed:property",
    "case:opened",
    "case:offered",
    "case:rebooked",
    "case:refunded",
    "payout-bounced",
})

DELIVERED = "4000"
PENDING = frozenset({"2000", "3000"})
# Failures that may pass: the phone was off, busy, out of signal or full, or a server on the way
# failed. Worth sending again a little later; every other failure would fail again.
PASSING_FAILURES = frozenset({"2024", "3012", "3014", "3024", "3040", "3041", "3042", "3043", "3044",
                              "3045", "3053"})
# SOLAPI's own passing troubles when it takes a message (a server error, the account out of balance).
_PASSING_REFUSALS = frozenset({"1024", "1030", "2024", "2230"})
# Kakao's reasons to refuse a 알림톡 at once (channel, template, text, buttons): a text still goes.
_KAKAO_REFUSALS = frozenset({"1033", "1041", "1042", "1043", "1044", "1045", "1046", "1047", "1048",
                             "1049", "1050", "1052", "3101", "3103", "3105", "3106"})


class SolapiSmsBackend(SmsBackend):
    """`SMS_BACKEND = "trustplatform.notifications.solapi.SolapiSmsBackend"`."""

    provider = "solapi"

    def send(self, *, to: str, body: str, sender: str) -> str:
        return self.deliver(to=to, body=body, sender=sender).message_id

    def deliver(self, *, to: str, body: str, sender: str, kind: str = "", reference: str = "") -> Sent:
        """Send from SOLAPI_SENDER, the number registered with SOLAPI (`sender`, the telephony
        provider's E.164 number, is not one SOLAPI may send from)."""
        number = national_number(to)
        template = settings.SOLAPI_KAKAO_TEMPLATES.get(kind) if kind in ALIMTALK_NOTICES else None
        if template:
            try:
                return _send(_alimtalk(number=number, body=body, template=template, reference=reference))
            except SmsRejected as exc:
                if exc.code not in _KAKAO_REFUSALS:
                    raise
                logger.warning("SOLAPI refused the 알림톡 for %s (%s): sent as a text", kind, exc.code)
            return replace(_send(_text(number=number, body=body, reference=reference)), fell_back=True)
        return _send(_text(number=number, body=body, reference=reference))


def national_number(e164: str) -> str:
    """A Korean number as SOLAPI takes it, digits from the leading 0 (+821012345678 → 01012345678)."""
    try:
        parsed = phonenumbers.parse(e164, "KR")
    except phonenumbers.NumberParseException as exc:
        raise SmsRejected("not a phone number", code="bad_number") from exc
    if parsed.country_code != 82:
        raise SmsRejected("SOLAPI sends to Korean numbers only", code="not_korean")
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(filter(str.isdigit, national))


def _fields(reference: str) -> dict[str, str] | None:
    return {"ref": reference} if reference else None


def _text(*, number: str, body: str, reference: str) -> RequestMessage:
    return RequestMessage(from_=settings.SOLAPI_SENDER, to=number, text=body, type=text_type(body),
                          auto_type_detect=False, custom_fields=_fields(reference))


def _alimtalk(*, number: str, body: str, template: str, reference: str) -> RequestMessage:
    # The text is the template's with its variables filled in (SOLAPI checks it against the template)
    # and is what the SMS fallback says.
    kakao = KakaoOption(pf_id=settings.SOLAPI_KAKAO_PFID, template_id=template, disable_sms=False)
    return RequestMessage(from_=settings.SOLAPI_SENDER, to=number, text=body, type="ATA",
                          auto_type_detect=False, kakao_options=kakao, custom_fields=_fields(reference))


def _service() -> SolapiMessageService:
    service = SolapiMessageService(api_key=settings.SOLAPI_API_KEY, api_secret=settings.SOLAPI_API_SECRET)
    service.base_url = settings.SOLAPI_BASE_URL  # the SDK's own attribute: a fake SOLAPI in tests
    return service


def _send(message: RequestMessage) -> Sent:
    try:
        response = _service().send(message, SendRequestConfig(show_message_list=True))
    except MessageNotReceivedError as exc:
        failed = exc.failed_messages[0]
        raise _refusal(failed.status_code, failed.status_message) from exc
    except httpx.HTTPError as exc:
        raise SmsUnavailable(f"SOLAPI could not be reached: {exc.__class__.__name__}") from exc
    except ValidationError as exc:  # an answer the SDK cannot read: a proxy's page, a changed API
        raise SmsUnavailable("SOLAPI's answer could not be read") from exc
    except Exception as exc:  # the SDK raises bare Exception(errorCode, errorMessage) for HTTP errors
        raise _sdk_error(exc) from exc
    accepted = (response.message_list or [None])[0]
    return Sent(message_id=accepted.message_id if accepted else "", sent_as=str(message.type),
                group_id=response.group_info.group_id)


def _refusal(code: str, text: str) -> Exception:
    if code in _PASSING_REFUSALS:
        return SmsUnavailable(f"SOLAPI {code}: {text}")
    return SmsRejected(f"SOLAPI {code}: {text}", code=code)


def _sdk_error(exc: Exception) -> Exception:
    """The SDK's HTTP errors: ("UnknownError", body) for a 5xx, (errorCode, errorMessage) for a 4xx."""
    if len(exc.args) == 2 and all(isinstance(arg, str) for arg in exc.args):
        code, text = exc.args
        if code in ("UnknownError", "TooManyRequests", "InternalError"):
            return SmsUnavailable(f"SOLAPI failed on its side: {code}")
        return SmsRejected(f"SOLAPI {code}: {text[:200]}", code=code[:10])
    return SmsUnavailable(f"SOLAPI failed: {exc.__class__.__name__}")


class ReportInvalid(ValueError):
    """A delivery report that is not SOLAPI's shape."""


def reports_parse(body: bytes) -> list[ReportData]:
    """SOLAPI's single-message reports (a JSON list), through the SDK's own model."""
    try:
        data = json.loads(body)
        items = SingleReportPayload.model_validate(data if isinstance(data, list) else [data]).root
    except (ValueError, ValidationError) as exc:
        raise ReportInvalid("not a SOLAPI delivery report") from exc
    return [_report(item) for item in items]


def _report(item) -> ReportData:
    data = item.data
    code, message_id = (data.status_code or "")[:10], (data.message_id or "")[:100]
    if not message_id and not data.group_id:
        raise ReportInvalid("a report names no message")
    state = "delivered" if code == DELIVERED else "pending" if code in PENDING else "failed"
    payload = {"messageId": message_id, "groupId": data.group_id, "type": data.type, "statusCode": code,
               "statusMessage": data.status_message, "dateReported": data.date_reported,
               "retryCount": item.retry_count}
    return ReportData(
        event_id=(item.event_data_id or f"{message_id}:{code}")[:100], message_id=message_id,
        group_id=(data.group_id or "")[:100], sent_as=(data.type or "").upper(), code=code, state=state,
        passing=code in PASSING_FAILURES, reference=str((data.custom_fields or {}).get("ref", ""))[:200],
        payload=payload,
    )
