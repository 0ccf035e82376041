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
        self.faults: list[tuple[str, str, str]] = []  # (method, path prefix, how): see fail_next
        self.refuse_cancellations = False
        self.partners: dict[str, dict] = {}  # platform payees, by our reference
        self.transfers: dict[str, dict] = {}  # manual settlements, by our payout reference
        self.payouts: dict[str, dict] = {}  # PortOne's payouts of those settlements
        # The tax office's standing by business number: "IN_BUSINESS", "SUSPENDED" or "CLOSED";
        # a number not here is one the tax office does not know.
        self.businesses: dict[str, str] = {}
        self.identity_verifications: dict[str, dict] = {}  # id → PortOne's IdentityVerification JSON
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything, as a new PortOne account would know nothing (one fake, many scenarios)."""
        with self.lock:
            for kept in (self.payments, self.holders, self.partners, self.transfers, self.payouts,
                         self.businesses, self.identity_verifications):
                kept.clear()
            self.requests.clear()
            self.faults.clear()
            self.refuse_cancellations = False

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

    def window_pay(self, payment_id: str, request: dict) -> tuple[int, dict]:
        """The payer completes PortOne's window: a card is charged, or a virtual account is issued. As
        PortOne does, a window for another store or another amount than the pre-registered one is refused."""
        payment = self.payments.get(payment_id)
        if payment is None or request.get("storeId") != STORE_ID:
            return 400, {"type": "PAYMENT_NOT_FOUND", "message": "결제 정보를 찾을 수 없습니다."}
        if int(request.get("totalAmount") or 0) != payment.amount:
            return 400, {"type": "INVALID_REQUEST", "message": "사전 등록된 금액과 다릅니다."}
        if request.get("payMethod") == "VIRTUAL_ACCOUNT":
            expiry = (request.get("virtualAccount") or {}).get("accountExpiry") or {}
            hours = int(expiry.get("validHours") or 72)
            self.issue_virtual_account(payment_id, bank="SHINHAN", hours=hours)
        else:
            self.pay(payment_id)
        return 200, {"txId": f"tx-{payment_id}"}

    def fail_next(self, method: str, path_prefix: str, how: str = "500") -> None:
        """The next request matching fails: "500", "timeout", "html" (a proxy's error page), "lost" (done,
        but the answer never arrives) or "refuse" (the card company refuses)."""
        self.faults.append((method, path_prefix, how))

    # --- the person's side of an identity verification (본인인증) -------------------------------
    def identity_verify(self, verification_id: str, *, name: str = "홍길동", birth_date: str = "1985-03-14",
                        phone: str = "01012345678") -> dict:
        """The person finished PortOne's identity window: the carrier verified them."""
        with self.lock:
            record = self._identity_record(verification_id, "VERIFIED")
            record.update(verifiedAt=_now(), pgTxId=f"pg-iv-{secrets.token_hex(6)}", pgRawResponse="{}",
                          verifiedCustomer={"name": name, "birthDate": birth_date, "phoneNumber": phone,
                                            "operator": "SKT", "gender": "MALE", "isForeigner": False,
                                            "ci": f"ci-{secrets.token_hex(8)}",
                                            "di": f"di-{secrets.token_hex(8)}"})
            return record

    def identity_open(self, verification_id: str) -> dict:
        """The window was opened but never finished."""
        with self.lock:
            return self._identity_record(verification_id, "READY")

    def identity_fail(self, verification_id: str) -> dict:
        with self.lock:
            record = self._identity_record(verification_id, "FAILED")
            record["failure"] = {"reason": "본인인증 실패", "pgCode": "F001", "pgMessage": "인증번호 불일치"}
            return record

    def _identity_record(self, verification_id: str, status: str) -> dict:
        record = {"status": status, "id": verification_id, "requestedCustomer": {}, "requestedAt": _now(),
                  "updatedAt": _now(), "statusChangedAt": _now(), "version": "V2",
                  "channel": {"type": "TEST", "id": "channel-iv", "key": "channel-key-iv-test",
                              "name": "본인인증", "pgProvider": "DANAL", "pgMerchantId": "danaltest"}}
        self.identity_verifications[verification_id] = record
        return record

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
            # Keep-alive, as PortOne's API serves it: a client reuses its connection (every answer has
            # a Content-Length).
            protocol_version = "HTTP/1.1"
            # Headers and body leave as two writes: without TCP_NODELAY the body would wait for the
            # client's delayed ACK of the headers (about 40 ms on Linux), which PortOne's API does not do.
            disable_nagle_algorithm = True

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
                if parsed.path == "/browser-sdk.js" or parsed.path.startswith("/_window/"):
                    return self._window(method, parsed.path, body)
                fake.requests.append((method, parsed.path, body))
                for fault in list(fake.faults):
                    if fault[0] == method and parsed.path.startswith(fault[1]):
                        fake.faults.remove(fault)
                        if fault[2] == "timeout":
                            time.sleep(float(getattr(fake, "timeout_seconds", 3)))
                            return self._answer(504, b"<html>gateway timeout</html>")
                        if fault[2] == "html":
                            return self._answer(502, b"<html>bad gateway</html>")
                        if fault[2] == "lost":  # done at PortOne, but the answer never arrives
                            fake.route(method, parsed.path, parse_qs(parsed.query), body)
                            return self._answer(504, b"<html>gateway timeout</html>")
                        if fault[2] == "refuse":  # the card company says no
                            return self._answer(502, {"type": "PG_PROVIDER", "message": "PG사 거절",
                                                      "pgCode": "REFUSED", "pgMessage": "취소 불가 거래"})
                        return self._answer(500, {"type": "INTERNAL", "message": "일시적인 오류"})
                if self.headers.get("Authorization") != f"PortOne {API_SECRET}":
                    return self._answer(401, {"type": "UNAUTHORIZED", "message": "인증 실패"})
                status, answer = fake.route(method, parsed.path, parse_qs(parsed.query), body)
                self._answer(status, answer)

            def _window(self, method: str, path: str, body: dict) -> None:
                """PortOne's payment window, as the browser meets it: the script the SDK loader injects
                (it defines `window.PortOne`), and the payer's choice in the window, sent from the page's
                origin (answered to any origin, as PortOne's own window is)."""
                if path == "/browser-sdk.js":
                    raw = WINDOW_SCRIPT.replace("__ORIGIN__", fake.url).encode()
                    content_type, status = "text/javascript", 200
                else:
                    status, answer = fake.window_pay(unquote(path.removeprefix("/_window/payments/")), body)
                    raw, content_type = json.dumps(answer).encode(), "application/json"
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def do_PATCH(self):
                self._serve("PATCH")

        return Handler

    def route(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict]:
        with self.lock:
            if path.startswith("/platform/") and (answer := self._platform(method, path, query, body)):
                return answer
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
                birthdate = (query.get("birthdate") or [""])[0]
                if birthdate and not re.fullmatch(r"\d{6}", birthdate):
                    return 400, {"type": "INVALID_REQUEST", "message": "생년월일은 6자리(YYMMDD)입니다."}
                holder = self.holders.get((unquote(m[1]), unquote(m[2])))
                if holder is None:
                    return 400, {"type": "PLATFORM_EXTERNAL_API_FAILED",
                                 "message": "계좌를 찾을 수 없습니다."}
                return 200, {"holderName": holder, "accountVerificationId": f"av-{secrets.token_hex(6)}"}
            if method == "POST" and path == "/b2b/companies/business-info":
                return 200, {"result": [self._business_info(brn) for brn in body.get("brnList", [])]}
            if m := re.fullmatch(r"/identity-verifications/([^/]+)", path):
                record = self.identity_verifications.get(unquote(m[1]))
                if record is None:
                    return 404, {"type": "IDENTITY_VERIFICATION_NOT_FOUND",
                                 "message": "요청된 본인인증 건이 존재하지 않습니다."}
                return 200, record
        return 404, {"type": "NOT_FOUND", "message": f"no route {method} {path}"}

    def _business_info(self, brn: str) -> dict:
        status = self.businesses.get(brn)
        if status is None:
            return {"brn": brn, "error": "국세청에 등록되지 않은 사업자등록번호입니다."}
        info = {"brn": brn, "name": f"상호 {brn[-4:]}", "ceoName": "홍길동", "zipCode": "04038",
                "address": "서울특별시 마포구 양화로 45", "businessEntityType": "INDIVIDUAL",
                "businessStatus": status, "taxationType": "NORMAL", "openingDate": "2019-05-01",
                "businessType": "부동산업", "businessClass": "숙박", "businessCategoryCode": "551001"}
        if status == "CLOSED":
            info["closingDate"] = "2026-01-31"
        return {"brn": brn, "businessInfo": info, "verificationId": f"bv-{secrets.token_hex(6)}"}

    # --- platform settlement: payees (partners), manual settlements (transfers) and their payouts -----
    def _partner_json(self, partner: dict) -> dict:
        if partner.get("business_number"):
            kind = {"type": "BUSINESS", "companyName": partner["name"], "taxationType": "NORMAL",
                    "businessStatus": "IN_BUSINESS", "businessRegistrationNumber": partner["business_number"],
                    "representativeName": partner["name"], "memberCompanyConnectionStatus": "NOT_CONNECTED"}
        else:
            kind = {"type": "NON_WHT_PAYER"}
            if partner.get("birthdate"):
                kind["birthdate"] = partner["birthdate"]
        return {
            "id": partner["id"], "graphqlId": f"gql-{partner['id']}", "name": partner["name"],
            "contact": partner["contact"], "account": {**partner["account"], "status": "VERIFIED"},
            "status": "APPROVED", "defaultContractId": partner["contract"], "tags": partner.get("tags", []),
            "type": kind, "isArchived": False, "appliedAt": partner["applied_at"],
            "userDefinedProperties": {}, "isForTest": False,
        }

    def _transfer_json(self, transfer: dict) -> dict:
        body = {
            "type": "MANUAL", "id": transfer["id"], "graphqlId": f"gql-{transfer['id']}",
            "partner": self._partner_json(self.partners[transfer["partner_id"]]),
            "status": transfer["status"], "settlementDate": transfer["settlement_date"],
            "settlementCurrency": "KRW", "isForTest": False, "userDefinedProperties": [],
            "settlementAmount": transfer["amount"], "settlementTaxFreeAmount": 0,
        }
        if transfer.get("memo"):
            body["memo"] = transfer["memo"]
        if transfer.get("payout_id"):
            body["payoutId"] = transfer["payout_id"]
            body["payoutGraphqlId"] = f"gql-{transfer['payout_id']}"
        return body

    def _payout_json(self, payout: dict) -> dict:
        partner = self.partners[payout["partner_id"]]
        body = {
            "id": payout["id"], "graphqlId": f"gql-{payout['id']}", "bulkPayoutId": payout["bulk_payout_id"],
            "bulkPayoutGraphqlId": f"gql-{payout['bulk_payout_id']}", "method": "DIRECT",
            "status": payout["status"], "statusUpdatedAt": _now(), "partner": self._partner_json(partner),
            "account": {"bank": partner["account"]["bank"], "number": partner["account"]["number"],
                        "holder": partner["account"]["holder"]},
            "taxInvoiceStatus": "NONE", "currency": "KRW", "amount": payout["amount"],
            "supplyAmount": payout["amount"], "taxFreeAmount": 0, "vatAmount": 0,
            "settlementAmount": payout["amount"], "settlementTaxFreeAmount": 0, "incomeTaxAmount": 0,
            "localIncomeTaxAmount": 0, "createdAt": payout["created_at"], "deductWht": False,
            "settlementAmountType": "NET", "settlementStatement": {"status": "UNSENT"},
        }
        if payout.get("fail_reason"):
            body["failReason"] = payout["fail_reason"]
        return body

    def payout_run(self, transfer_id: str, *, status: str = "SUCCEEDED", fail_reason: str = "") -> dict:
        """PortOne pays a settlement out (its payout run): the payout succeeds, or fails at the bank."""
        with self.lock:
            transfer = self.transfers[transfer_id]
            payout_id = transfer.get("payout_id") or f"po-{secrets.token_hex(6)}"
            transfer["payout_id"] = payout_id
            transfer["status"] = "PAID_OUT" if status == "SUCCEEDED" else "IN_PAYOUT"
            self.payouts[payout_id] = {
                "id": payout_id, "bulk_payout_id": f"bpo-{secrets.token_hex(4)}", "status": status,
                "partner_id": transfer["partner_id"], "amount": transfer["amount"], "created_at": _now(),
                "fail_reason": fail_reason,
            }
            return self.payouts[payout_id]

    def _platform(self, method: str, path: str, query: dict, body: dict) -> tuple[int, dict] | None:
        if method == "POST" and path == "/platform/partners":
            if body.get("id") in self.partners:
                return 409, {"type": "PLATFORM_PARTNER_ID_ALREADY_EXISTS", "message": "이미 존재하는 아이디"}
            partner_id = body.get("id") or f"pp-{secrets.token_hex(6)}"
            kind = body.get("type", {})
            individual = kind.get("nonWhtPayer") or kind.get("whtPayer") or {}
            birthdate = individual.get("birthdate") or ""
            if birthdate and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", birthdate):
                return 400, {"type": "INVALID_REQUEST", "message": "birthdate는 yyyy-MM-dd 형식입니다."}
            self.partners[partner_id] = {
                "id": partner_id, "name": body["name"], "contact": body["contact"],
                "account": body["account"],
                "contract": body["defaultContractId"], "tags": body.get("tags", []), "applied_at": _now(),
                "business_number": (kind.get("business") or {}).get("businessRegistrationNumber", ""),
                "birthdate": (kind.get("nonWhtPayer") or kind.get("whtPayer") or {}).get("birthdate", ""),
            }
            return 200, {"partner": self._partner_json(self.partners[partner_id])}
        if m := re.fullmatch(r"/platform/partners/([^/]+)", path):
            partner = self.partners.get(unquote(m[1]))
            if partner is None:
                return 404, {"type": "PLATFORM_PARTNER_NOT_FOUND", "message": "파트너가 존재하지 않습니다."}
            if method == "PATCH":
                partner.update({key: body[key] for key in ("name", "account", "contact") if key in body})
            return 200, {"partner": self._partner_json(partner)}
        if method == "POST" and path == "/platform/transfers/manual":
            if body["partnerId"] not in self.partners:
                return 404, {"type": "PLATFORM_PARTNER_NOT_FOUND", "message": "파트너가 존재하지 않습니다."}
            if body.get("id") in self.transfers:
                return 409, {"type": "PLATFORM_TRANSFER_ID_ALREADY_USED", "message": "이미 사용된 아이디"}
            transfer_id = body.get("id") or f"tr-{secrets.token_hex(6)}"
            self.transfers[transfer_id] = {
                "id": transfer_id, "partner_id": body["partnerId"], "amount": int(body["settlementAmount"]),
                "settlement_date": body["settlementDate"], "memo": body.get("memo", ""),
                "status": "SCHEDULED",
            }
            return 200, {"transfer": self._transfer_json(self.transfers[transfer_id])}
        if method == "GET" and (m := re.fullmatch(r"/platform/transfers/([^/]+)", path)):
            transfer = self.transfers.get(unquote(m[1]))
            if transfer is None:
                return 404, {"type": "PLATFORM_TRANSFER_NOT_FOUND", "message": "정산건이 존재하지 않습니다."}
            return 200, self._transfer_json(transfer)
        if method == "GET" and path == "/platform/payouts":
            request = json.loads((query.get("requestBody") or ["{}"])[0])
            wanted = ((request.get("filter") or {}).get("criteria") or {}).get("payoutId")
            items = [self._payout_json(p) for p in self.payouts.values() if wanted in (None, p["id"])]
            counts = {key: 0 for key in ("CONFIRMED", "PREPARED", "CANCELLED", "STOPPED", "PROCESSING",
                                          "SUCCEEDED", "FAILED", "SCHEDULED")}
            return 200, {"items": items, "page": {"number": 0, "size": len(items), "totalCount": len(items)},
                         "counts": {k.lower(): v for k, v in counts.items()}}
        return None

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


# What PortOne's CDN script does for the page, reduced to the payer completing the window at once.
WINDOW_SCRIPT = """
window.PortOne = {
  async requestPayment(request) {
    const answer = await fetch("__ORIGIN__/_window/payments/" + encodeURIComponent(request.paymentId), {
      method: "POST", body: JSON.stringify(request),
    });
    const body = await answer.json();
    if (!answer.ok) {
      return { code: body.type, message: body.message, paymentId: request.paymentId,
               transactionType: "PAYMENT" };
    }
    return { paymentId: request.paymentId, txId: body.txId, transactionType: "PAYMENT" };
  },
};
"""


def sign(body: bytes, *, webhook_id: str, timestamp: int, secret: str = WEBHOOK_SECRET) -> dict:
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(raw, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
        "Content-Type": "application/json",
    }
