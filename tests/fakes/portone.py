"""A local fake of the PortOne V2 REST API on 127.0.0.1, for the real `portone-server-sdk` to talk to.

It keeps payments as PortOne would (pre-registered amount, status, virtual account, cancellations),
answers the endpoints the platform uses with PortOne's JSON shapes and error types, checks the API
secret, and signs webhooks as PortOne does (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`). The tests play the payer's
side (`pay`, `issue_virtual_account`, `deposit`, `expire`) and inject faults (`fail_next`).
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

API_SECRET = "fake-portone-api-secret"
STORE_ID = "store-fake-0001"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"fake-portone-webhook-secret-0123").decode()


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class FakePayment:
    payment_id: str
    amount: int
    currency: str = "KRW"
    status: str = "READY"
    method: str = ""  # CARD or VIRTUAL_ACCOUNT once the payer chose
    paid_at: str | None = None
    order_name: str = "Ansim"
    virtual_account: dict | None = None
    cancellations: list[dict] = field(default_factory=list)
    refund_accounts: list[dict] = field(default_factory=list)

    @property
    def cancelled(self) -> int:
        return sum(c["totalAmount"] for c in self.cancellations if c["status"] == "SUCCEEDED")

    def as_json(self) -> dict:
        body = {
            "status": self.status,
            "id": self.payment_id,
            "transactionId": f"tx-{self.payment_id}",
            "merchantId": "merchant-fake",
            "storeId": STORE_ID,
            "channel": {"type": "TEST", "pgProvider": "TOSSPAYMENTS", "pgMerchantId": "tosstest"},
            "version": "V2",
            "requestedAt": _now(),
            "updatedAt": _now(),
            "statusChangedAt": _now(),
            "orderName": self.order_name,
            "amount": {"total": self.amount, "taxFree": 0, "discount": 0,
                       "paid": self.amount if self.paid_at else 0,
                       "cancelled": self.cancelled, "cancelledTaxFree": 0},
            "currency": self.currency,
            "customer": {},
            "origin": {"platformType": "PC", "ipAddress": "127.0.0.1"},
            "disputes": [],
        }
        if self.paid_at:
            body["paidAt"] = self.paid_at
        if self.status in ("CANCELLED", "PARTIAL_CANCELLED"):
            body["cancelledAt"] = _now()
        if self.cancellations:
            body["cancellations"] = self.cancellations
        elif self.status in ("CANCELLED", "PARTIAL_CANCELLED"):
            body["cancellations"] = []
        if self.status == "FAILED":
            body["failedAt"] = _now()
            body["failure"] = {"reason": "카드 한도 초과"}
        if self.virtual_account:
            body["method"] = {"type": "PaymentMethodVirtualAccount", **self.virtual_account}
        elif self.method == "CARD":
            body["method"] = {"type": "PaymentMethodCard"}
        return body


class FakePortOne:
    def __init__(self):
        self.payments: dict[str, FakePayment] = {}
        self.holders: dict[tuple[str, str], str] = {}  # (bank, number) → holder name
        self.requests: list[tuple[str, str, dict]] = []
        self.faults: list[tuple[str, str, str]] = []  # (method, path prefix, "500" | "timeout" | "html")
        self.refuse_cancellations = False
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakePortOne":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the payer's side --------------------------------------------------------------------
    def pay(self, payment_id: str, *, amount: int | None = None, currency: str = "KRW") -> FakePayment:
        """The payer pays by card in PortOne's window. `amount` other than the pre-registered one plays
        a tampered checkout (PortOne itself would refuse it; the platform must too)."""
        with self.lock:
            payment = self.payments[payment_id]
            payment.amount = amount if amount is not None else payment.amount
            payment.currency = currency
            payment.method = "CARD"
            payment.status = "PAID"
            payment.paid_at = _now()
            return payment

    def issue_virtual_account(self, payment_id: str, *, bank: str = "SHINHAN",
                              hours: int = 72) -> FakePayment:
        with self.lock:
            payment = self.payments[payment_id]
            payment.method = "VIRTUAL_ACCOUNT"
            payment.status = "VIRTUAL_ACCOUNT_ISSUED"
            payment.virtual_account = {
                "bank": bank,
                "accountNumber": f"562{secrets.randbelow(10**9):09d}",
                "accountType": "NORMAL",
                "remitteeName": "안심",
                "expiredAt": (datetime.now(UTC) + timedelta(hours=hours)).isoformat().replace("+00:00", "Z"),
                "issuedAt": _now(),
            }
            return payment

    def deposit(self, payment_id: str) -> FakePayment:
        with self.lock:
            payment = self.payments[payment_id]
            assert payment.status == "VIRTUAL_ACCOUNT_ISSUED", payment.status
            payment.status = "PAID"
            payment.paid_at = _now()
            return payment

    def expire(self, payment_id: str) -> FakePayment:
        with self.lock:
            payment = self.payments[payment_id]
            payment.status = "CANCELLED"
            return payment

    def fail(self, payment_id: str) -> FakePayment:
        with self.lock:
            payment = self.payments[payment_id]
            payment.status = "FAILED"
            return payment

    def fail_next(self, method: str, path_prefix: str, how: str = "500") -> None:
        self.faults.append((method, path_prefix, how))

    # --- webhooks as PortOne signs them ------------------------------------------------------
    def webhook(self, event_type: str, payment_id: str, *, webhook_id: str | None = None,
                timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict]:
        data = {"paymentId": payment_id, "storeId": STORE_ID, "transactionId": f"tx-{payment_id}"}
        if event_type in ("Transaction.Cancelled", "Transaction.PartialCancelled"):
            cancellations = self.payments[payment_id].cancellations if payment_id in self.payments else []
            data["cancellationId"] = cancellations[-1]["id"] if cancellations else "none"
        body = json.dumps({"type": event_type, "timestamp": _now(), "data": data},
                          separators=(",", ":")).encode()
        return body, sign(body, webhook_id=webhook_id or f"wh_{secrets.token_hex(10)}",
                          timestamp=timestamp or int(time.time()), secret=secret)

    # --- the HTTP API ------------------------------------------------------------------------
    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json" if not isinstance(body, bytes)
                                     else "text/html")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout fault)

            def _serve(self, method: str) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                fake.requests.append((method, parsed.path, body))
                for fault in list(fake.faults):
                    if fault[0] == method and parsed.path.startswith(fault[1]):
                        fake.faults.remove(fault)
                        if fault[2] == "timeout":
                            time.sleep(float(getattr(fake, "timeout_seconds", 3)))
                            return self._answer(504, b"<html>gateway timeout</html>")
                        if fault[2] == "html":
                            return self._answer(502, b"<html>bad gateway</html>")
                        return self._answer(500, {"type": "INTERNAL", "message": "일시적인 오류"})
                if self.headers.get("Authorization") != f"PortOne {API_SECRET}":
                    return self._answer(401, {"type": "UNAUTHORIZED", "message": "인증 실패"})
                status, answer = fake.route(method, parsed.path, parse_qs(parsed.query), body)
                self._answer(status, answer)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        return Handler

    def route(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict]:
        with self.lock:
            if m := re.fullmatch(r"/payments/([^/]+)/pre-register", path):
                pid = unquote(m[1])
                if pid in self.payments:
                    return 409, {"type": "ALREADY_PAID_OR_WAITING", "message": "이미 등록된 결제"}
                self.payments[pid] = FakePayment(pid, amount=int(body["totalAmount"]),
                                                 currency=body.get("currency", "KRW"))
                return 200, {}
            if m := re.fullmatch(r"/payments/([^/]+)", path):
                payment = self.payments.get(unquote(m[1]))
                if payment is None:
                    return 404, {"type": "PAYMENT_NOT_FOUND", "message": "결제 건이 존재하지 않습니다."}
                return 200, payment.as_json()
            if m := re.fullmatch(r"/payments/([^/]+)/cancel", path):
                return self._cancel(unquote(m[1]), body)
            if m := re.fullmatch(r"/payments/([^/]+)/virtual-account/close", path):
                payment = self.payments.get(unquote(m[1]))
                if payment is None or payment.status != "VIRTUAL_ACCOUNT_ISSUED":
                    return 400, {"type": "INVALID_REQUEST", "message": "발급된 가상계좌가 없습니다."}
                payment.status = "CANCELLED"
                return 200, {"closedAt": _now()}
            if m := re.fullmatch(r"/platform/bank-accounts/([^/]+)/([^/]+)/holder", path):
                holder = self.holders.get((unquote(m[1]), unquote(m[2])))
                if holder is None:
                    return 400, {"type": "PLATFORM_EXTERNAL_API_FAILED",
                                 "message": "계좌를 찾을 수 없습니다."}
                return 200, {"holderName": holder, "accountVerificationId": f"av-{secrets.token_hex(6)}"}
        return 404, {"type": "NOT_FOUND", "message": f"no route {method} {path}"}

    def _cancel(self, pid: str, body: dict) -> tuple[int, dict]:
        payment = self.payments.get(pid)
        if payment is None:
            return 404, {"type": "PAYMENT_NOT_FOUND", "message": "결제 건이 존재하지 않습니다."}
        if payment.status not in ("PAID", "PARTIAL_CANCELLED"):
            return 409, {"type": "PAYMENT_NOT_PAID", "message": "결제가 완료되지 않았습니다."}
        cancellable = payment.amount - payment.cancelled
        amount = int(body.get("amount") or cancellable)
        given = body.get("currentCancellableAmount")
        if given is not None and int(given) != cancellable:
            return 409, {"type": "CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN", "message": "취소 가능 잔액 불일치"}
        if amount > cancellable:
            return 409, {"type": "CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT", "message": "취소 가능 금액 초과"}
        if payment.method == "VIRTUAL_ACCOUNT" and not body.get("refundAccount"):
            return 400, {"type": "INVALID_REQUEST", "message": "환불 계좌가 필요합니다."}
        if self.refuse_cancellations:
            return 502, {"type": "PG_PROVIDER", "message": "PG사 취소 거절", "pgCode": "CANCEL_REFUSED",
                         "pgMessage": "정산 완료 건은 취소할 수 없습니다."}
        cancellation = {
            "status": "SUCCEEDED",
            "id": f"cx-{secrets.token_hex(8)}",
            "pgCancellationId": f"pg-{secrets.token_hex(6)}",
            "totalAmount": amount,
            "taxFreeAmount": 0,
            "vatAmount": 0,
            "reason": body.get("reason", ""),
            "requestedAt": _now(),
            "cancelledAt": _now(),
        }
        if body.get("refundAccount"):
            payment.refund_accounts.append(body["refundAccount"])
        payment.cancellations.append(cancellation)
        payment.status = "CANCELLED" if payment.cancelled == payment.amount else "PARTIAL_CANCELLED"
        return 200, {"cancellation": cancellation}


def sign(body: bytes, *, webhook_id: str, timestamp: int, secret: str = WEBHOOK_SECRET) -> dict:
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(raw, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
        "Content-Type": "application/json",
    }
