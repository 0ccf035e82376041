"""A local fake of the SOLAPI messages API on 127.0.0.1, for the real `solapi` SDK to talk to.

It answers `POST /messages/v4/send-many/detail` as SOLAPI does: it checks the HMAC-SHA256 Authorization
header (signature = hex HMAC-SHA256 of date + salt under the API secret, a fresh salt, a recent date),
takes a message only from the registered sender, refuses an SMS past 90 bytes (EUC-KR) or an LMS past
2,000, takes a 알림톡 only from the registered channel with a known template whose content the text
matches, and answers with SOLAPI's group info and message list (or its failed-message list). The tests
play the carriers' side: they write SOLAPI's delivery reports (`report`), make KakaoTalk fail so that
SOLAPI sends the text instead (`replacement`), and inject faults (`fail_next`).
"""

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "NCSFAKESOLAPIKEY"
API_SECRET = "fake-solapi-api-secret-0123456789abcdef"
SENDER = "0215880000"
PFID = "KA01PF-fake-ansim-channel"
ACCOUNT_ID = "12925149"
SEND_PATH = "/messages/v4/send-many/detail"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def euc_kr_bytes(text: str) -> int:
    """Hangul is 2 bytes in EUC-KR, ASCII 1."""
    return sum(1 if char.isascii() else 2 for char in text)


def _id(prefix: str) -> str:
    return f"{prefix}4V{datetime.now(UTC):%Y%m%d%H%M%S}{secrets.token_hex(8).upper()}"


@dataclass
class FakeMessage:
    message_id: str
    group_id: str
    type: str
    to: str
    sender: str
    text: str
    kakao: dict = field(default_factory=dict)
    custom_fields: dict = field(default_factory=dict)
    replacement: bool = False


class FakeSolapi:
    def __init__(self, templates: dict[str, str] | None = None):
        # Approved 알림톡 templates: id → content, with #{variables}.
        self.templates: dict[str, str] = dict(templates or {})
        self.messages: list[FakeMessage] = []
        self.requests: list[dict] = []  # every send request that passed authentication
        self.refused_auth: list[str] = []  # why requests were refused before anything was read
        self.faults: list[str] = []
        self.salts: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeSolapi":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, how: str = "500") -> None:
        """The next send fails: "500" (SOLAPI's server error) or "html" (a proxy's error page)."""
        self.faults.append(how)

    # --- the carriers' side: delivery reports as SOLAPI posts them ---------------------------------
    def message(self, message_id: str) -> FakeMessage:
        return next(message for message in self.messages if message.message_id == message_id)

    def report(self, message_id: str, code: str = "4000", *, event_id: str | None = None) -> dict:
        """One single-message report (SOLAPI's webhook item) of what became of a message."""
        message = self.message(message_id)
        return {
            "eventDataId": event_id or f"ED{secrets.token_hex(10).upper()}",
            "retryCount": 0,
            "data": {
                "messageId": message.message_id, "groupId": message.group_id, "type": message.type,
                "to": message.to, "from": message.sender, "statusCode": code,
                "statusMessage": "수신 완료" if code == "4000" else "전송 실패",
                "dateProcessed": _now(), "dateReported": _now(), "dateReceived": _now(),
                "networkCode": "SKT", "customFields": message.custom_fields,
                "kakaoOptions": message.kakao or None, "replacement": message.replacement,
            },
        }

    def replacement(self, message_id: str, *, keep_fields: bool = True) -> FakeMessage:
        """KakaoTalk could not deliver a 알림톡 sent with disableSms false: SOLAPI sends its text as an
        SMS or LMS, a message of its own in the same group."""
        original = self.message(message_id)
        assert original.type == "ATA" and not original.kakao.get("disableSms"), "no fallback asked for"
        text_type = "SMS" if euc_kr_bytes(original.text) <= 90 else "LMS"
        fields = dict(original.custom_fields) if keep_fields else {}
        fallback = FakeMessage(_id("M"), original.group_id, text_type, original.to, original.sender,
                               original.text, custom_fields=fields, replacement=True)
        with self.lock:
            self.messages.append(fallback)
        return fallback

    @staticmethod
    def payload(*reports: dict) -> bytes:
        return json.dumps(list(reports), ensure_ascii=False).encode()

    # --- the API ------------------------------------------------------------------------------
    def authenticate(self, header: str) -> str:
        """"" when the Authorization header is SOLAPI's HMAC-SHA256 for our key, else why not."""
        scheme, _space, rest = header.partition(" ")
        parts = dict(part.strip().split("=", 1) for part in rest.split(",") if "=" in part)
        parts = {name.lower(): value for name, value in parts.items()}
        if scheme != "HMAC-SHA256" or parts.get("apikey") != API_KEY:
            return "InvalidAPIKey"
        try:
            date = datetime.fromisoformat(parts.get("date", "").replace("Z", "+00:00"))
        except ValueError:
            return "InvalidDate"
        if date.tzinfo is None or abs(datetime.now(UTC) - date) > timedelta(minutes=15):
            return "RequestTimeTooSkewed"
        expected = hmac.new(API_SECRET.encode(), (parts["date"] + parts.get("salt", "")).encode(),
                            hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("signature", "")):
            return "SignatureDoesNotMatch"
        with self.lock:
            if parts.get("salt", "") in self.salts:
                return "DuplicatedSignature"
            self.salts.add(parts["salt"])
        return ""

    def send(self, body: dict) -> tuple[int, dict]:
        group_id = _id("G")
        accepted, failed = [], []
        with self.lock:
            self.requests.append(body)
            for raw in body.get("messages", []):
                code, why = self._refusal(raw)
                message_id = _id("M")
                if code:
                    failed.append({"to": raw.get("to"), "from": raw.get("from"), "type": raw.get("type"),
                                   "country": "82", "messageId": message_id, "statusCode": code,
                                   "statusMessage": why, "accountId": ACCOUNT_ID,
                                   "customFields": raw.get("customFields")})
                    continue
                message = FakeMessage(message_id, group_id, raw["type"], raw["to"], raw["from"], raw["text"],
                                      kakao=raw.get("kakaoOptions") or {},
                                      custom_fields=raw.get("customFields") or {})
                self.messages.append(message)
                accepted.append({"messageId": message_id, "statusCode": "2000", "statusMessage": "정상 접수",
                                 "customFields": message.custom_fields})
        answer = {"groupInfo": _group(group_id, total=len(accepted) + len(failed), failed=len(failed)),
                  "failedMessageList": failed}
        if body.get("showMessageList"):
            answer["messageList"] = accepted
        return 200, answer

    def _refusal(self, raw: dict) -> tuple[str, str]:
        text, kind = raw.get("text") or "", raw.get("type")
        if raw.get("from") != SENDER:
            return "1062", "발신번호 미등록"
        if not re.fullmatch(r"01\d{8,9}", raw.get("to") or ""):
            return "1011", "Format Error"
        fields = (raw.get("customFields") or {}).items()
        if any(len(name) > 30 or len(str(value)) > 100 for name, value in fields):
            return "1032", "유효한 커스텀 필드 값이 아닙니다."
        if kind == "SMS" and euc_kr_bytes(text) > 90 or kind == "LMS" and euc_kr_bytes(text) > 2000:
            return "1031", "SMS는 90byte LMS, MMS는 2000byte 까지 사용 가능합니다."
        if kind == "ATA":
            return self._kakao_refusal(raw.get("kakaoOptions") or {}, text)
        if kind not in ("SMS", "LMS"):
            return "1025", "잘못된 메시지 타입"
        return "", ""

    def _kakao_refusal(self, kakao: dict, text: str) -> tuple[str, str]:
        if kakao.get("pfId") != PFID:
            return "1041", "유효한 플러스 친구 값이 아닙니다."
        content = self.templates.get(kakao.get("templateId", ""))
        if content is None:
            return "1042", "유효한 템플릿 아이디가 아닙니다."
        pattern = "".join(".+?" if part.startswith("#{") else re.escape(part)
                          for part in re.split(r"(#\{[^}]+\})", content))
        if not re.fullmatch(pattern, text, flags=re.DOTALL):
            return "1043", "등록한 템플릿과 내용이 다릅니다."
        return "", ""

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                kind = "text/html" if isinstance(body, bytes) else "application/json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path != SEND_PATH:
                    return self._answer(404, {"errorCode": "NotFound", "errorMessage": "없는 경로"})
                if fake.faults:
                    how = fake.faults.pop(0)
                    if how == "html":
                        return self._answer(502, b"<html>bad gateway</html>")
                    return self._answer(500, {"errorCode": "InternalError", "errorMessage": "서버 오류"})
                refused = fake.authenticate(self.headers.get("Authorization", ""))
                if refused:
                    fake.refused_auth.append(refused)
                    return self._answer(401, {"errorCode": refused, "errorMessage": "인증 실패"})
                self._answer(*fake.send(json.loads(raw or b"{}")))

        return Handler


def _group(group_id: str, *, total: int, failed: int) -> dict:
    cash = {"requested": 0, "replacement": 0, "refund": 0, "sum": 0}
    return {
        "count": {"total": total, "sentTotal": 0, "sentFailed": 0, "sentSuccess": 0, "sentPending": 0,
                  "sentReplacement": 0, "refund": 0, "registeredFailed": failed,
                  "registeredSuccess": total - failed},
        "countForCharge": {"sms": {}, "lms": {}, "mms": {}, "ata": {}, "cta": {}},
        "balance": cash, "point": cash, "app": {"profit": {"sms": 0, "lms": 0, "ata": 0}, "appId": None},
        "log": [{"createAt": _now(), "message": "메시지 그룹이 생성되었습니다."}],
        "status": "SENDING", "allowDuplicates": False, "isRefunded": False, "accountId": ACCOUNT_ID,
        "masterAccountId": None, "apiVersion": "4", "groupId": group_id,
        "price": {"82": {"sms": 20, "lms": 50, "ata": 13}},
        "dateCreated": _now(), "dateUpdated": _now(), "dateSent": _now(), "dateCompleted": None,
    }
