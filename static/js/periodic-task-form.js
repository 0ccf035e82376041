// django-celery-beat's periodic task form: under the crontab field, say in words when it runs.
(() => {
  const $ = django.jQuery;
  const help = document.currentScript.dataset.crontabHelp;
  const readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(() => {
    const said = readableCrontabs[$("#id_crontab").val()];
    $(".field-crontab .help").text(help).append("<br>", document.createTextNode(`Translation: ${said}`));
  });
})();
