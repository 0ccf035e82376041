// The PortOne checkout: open the payment company's window for the payment the server prepared,
// then ask the server to fetch the result from PortOne. The browser's word moves no money.
const button = document.getElementById("psp-pay");
const message = document.getElementById("psp-message");
const request = JSON.parse(document.getElementById("portone-request").textContent);
// The CSRF cookie is HttpOnly: the page carries the token for its own requests.
const csrf = button.dataset.csrf;

function say(text) {
  message.textContent = text;
  message.hidden = false;
}

async function sync() {
  const response = await fetch(request.syncUrl, {
    method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin",
  });
  return response.ok ? response.json() : null;
}

button.addEventListener("click", async () => {
  button.disabled = true;
  try {
    const sdk = await import(button.dataset.sdk);
    sdk.__INTERNAL__setPortOneSdkUrl(request.sdkUrl);
    const { sdkUrl, syncUrl, ...payment } = request;
    const answer = await sdk.requestPayment(payment);
    if (!answer || answer.code !== undefined) {
      say(button.dataset.cancelled);
      button.disabled = false;
      return;
    }
    say(button.dataset.processing);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const state = await sync();
      if (state && (state.status !== "pending" || state.virtual_account)) {
        window.location.reload();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 + attempt * 500));
    }
  } catch (error) {
    say(button.dataset.unavailable);
    button.disabled = false;
  }
});
