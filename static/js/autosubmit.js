// A select marked data-autosubmit sends its form as soon as it changes (the filter needs no button).
for (const field of document.querySelectorAll("[data-autosubmit]")) {
  field.addEventListener("change", () => field.form.submit());
}
