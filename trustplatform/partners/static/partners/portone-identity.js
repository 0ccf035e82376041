// PortOne's identity window for an individual landlord's application. The browser only learns that
// the window closed; the server fetches the verification from PortOne and trusts only that.
const button = document.getElementById("identity-verify");
const state = document.getElementById("identity-state");
const request = JSON.parse(document.getElementById("portone-identity").textContent);
const field = document.querySelector("#individual-application input[name=identity_verification_id]");

function say(text) {
  state.textContent = text;
  state.hidden = false;
}

button.addEventListener("click", async () => {
  button.disabled = true;
  try {
    const sdk = await import(button.dataset.sdk);
    sdk.__INTERNAL__setPortOneSdkUrl(request.sdkUrl);
    const { sdkUrl, ...verification } = request;
    const answer = await sdk.requestIdentityVerification(verification);
    if (!answer || answer.code !== undefined) {
      say(button.dataset.cancelled);
      button.disabled = false;
      return;
    }
    field.value = answer.identityVerificationId;
    button.hidden = true;
    say(button.dataset.done);
  } catch (error) {
    say(button.dataset.unavailable);
    button.disabled = false;
  }
});
