// A check-in/check-out picker over two native date inputs ([data-date-range] holding two
// input[type=date]). The inputs stay in the form and keep working on their own: the picker only adds a
// button showing the chosen range, and a month calendar in which the first tap sets check-in and the
// second check-out. Labels come from the wrapper's data-label-* attributes (translated by the page).
(() => {
  "use strict";

  const pad = (n) => String(n).padStart(2, "0");
  const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const parse = (value) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
    return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : null;
  };
  const addDays = (d, n) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
  const daysBetween = (a, b) => Math.round((b - a) / 86400000);

  function setup(wrapper) {
    const inputs = wrapper.querySelectorAll("input[type=date]");
    if (inputs.length !== 2) return;
    const [startInput, endInput] = inputs;
    const label = (name) => wrapper.dataset[`label${name}`] || "";
    const lang = document.documentElement.lang || "ko";
    const dayFormat = new Intl.DateTimeFormat(lang, { month: "long", day: "numeric", weekday: "short" });
    const monthFormat = new Intl.DateTimeFormat(lang, { year: "numeric", month: "long" });
    const weekdayFormat = new Intl.DateTimeFormat(lang, { weekday: "narrow" });
    const today = parse(iso(new Date()));
    const minimum = parse(startInput.min) || today;

    let start = parse(startInput.value);
    let end = parse(endInput.value);
    let shown = new Date((start || today).getFullYear(), (start || today).getMonth(), 1);
    let picking = "start";

    wrapper.classList.add("date-range--enhanced");
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "date-range__toggle";
    toggle.setAttribute("aria-expanded", "false");
    const panel = document.createElement("div");
    panel.className = "date-range__panel";
    panel.hidden = true;
    panel.id = `${startInput.id}-calendar`;
    toggle.setAttribute("aria-controls", panel.id);
    wrapper.prepend(toggle);
    wrapper.append(panel);

    function summary() {
      if (start && end && end > start) {
        const nights = daysBetween(start, end);
        return `${dayFormat.format(start)} – ${dayFormat.format(end)} · ${nights}${label("Nights") ? " " + label("Nights") : ""}`;
      }
      return label("Open");
    }

    function write() {
      startInput.value = start ? iso(start) : "";
      endInput.value = end ? iso(end) : "";
      for (const input of [startInput, endInput]) input.dispatchEvent(new Event("change", { bubbles: true }));
      toggle.textContent = summary();
    }

    function cell(day) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "date-range__day";
      button.textContent = String(day.getDate());
      button.dataset.date = iso(day);
      button.setAttribute("aria-label", dayFormat.format(day));
      const disabled = day < minimum || (picking === "end" && start && day <= start);
      button.disabled = disabled;
      if (start && iso(day) === iso(start)) button.classList.add("is-start");
      if (end && iso(day) === iso(end)) button.classList.add("is-end");
      if (start && end && day > start && day < end) button.classList.add("is-between");
      button.setAttribute("aria-pressed", String(button.classList.contains("is-start") || button.classList.contains("is-end")));
      button.addEventListener("click", () => choose(day));
      return button;
    }

    function render() {
      panel.replaceChildren();
      const head = document.createElement("div");
      head.className = "date-range__head";
      const prev = document.createElement("button");
      prev.type = "button";
      prev.className = "date-range__nav";
      prev.textContent = "‹";
      prev.setAttribute("aria-label", label("Prev"));
      prev.disabled = shown <= new Date(minimum.getFullYear(), minimum.getMonth(), 1);
      prev.addEventListener("click", () => { shown = new Date(shown.getFullYear(), shown.getMonth() - 1, 1); render(); });
      const next = document.createElement("button");
      next.type = "button";
      next.className = "date-range__nav";
      next.textContent = "›";
      next.setAttribute("aria-label", label("Next"));
      next.addEventListener("click", () => { shown = new Date(shown.getFullYear(), shown.getMonth() + 1, 1); render(); });
      const title = document.createElement("p");
      title.className = "date-range__month";
      title.setAttribute("aria-live", "polite");
      title.textContent = monthFormat.format(shown);
      head.append(prev, title, next);

      const hint = document.createElement("p");
      hint.className = "date-range__hint";
      hint.textContent = picking === "start" ? label("Start") : label("End");

      const grid = document.createElement("div");
      grid.className = "date-range__grid";
      grid.setAttribute("role", "group");
      grid.setAttribute("aria-label", monthFormat.format(shown));
      const sunday = new Date(2023, 0, 1); // a Sunday: the week starts on Sunday, as Korean calendars do
      for (let n = 0; n < 7; n++) {
        const name = document.createElement("span");
        name.className = "date-range__weekday";
        name.setAttribute("aria-hidden", "true");
        name.textContent = weekdayFormat.format(addDays(sunday, n));
        grid.append(name);
      }
      for (let n = 0; n < shown.getDay(); n++) grid.append(document.createElement("span"));
      for (let day = shown; day.getMonth() === shown.getMonth(); day = addDays(day, 1)) grid.append(cell(day));

      const done = document.createElement("button");
      done.type = "button";
      done.className = "date-range__done secondary";
      done.textContent = label("Close");
      done.addEventListener("click", () => close(true));
      panel.append(head, hint, grid, done);
    }

    function choose(day) {
      if (picking === "start" || !start || day <= start) {
        start = day;
        end = null;
        picking = "end";
      } else {
        end = day;
        picking = "start";
      }
      write();
      render();
      const focus = panel.querySelector(`[data-date="${iso(day)}"]`);
      if (focus) focus.focus();
      if (end) close(true);
    }

    function open() {
      picking = "start";
      shown = new Date((start || minimum).getFullYear(), (start || minimum).getMonth(), 1);
      render();
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      const first = panel.querySelector(".date-range__day.is-start") || panel.querySelector(".date-range__day:not([disabled])");
      if (first) first.focus();
    }

    function close(returnFocus) {
      if (panel.hidden) return;
      // A check-in without a check-out: keep the old stay length.
      if (start && !end) {
        end = addDays(start, 1);
        write();
      }
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      if (returnFocus) toggle.focus();
    }

    toggle.addEventListener("click", () => (panel.hidden ? open() : close(false)));
    panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close(true);
    });
    // composedPath: a tapped day is re-rendered (detached) before this runs, but was inside the picker.
    document.addEventListener("click", (event) => {
      if (!event.composedPath().includes(wrapper)) close(false);
    });
    for (const input of [startInput, endInput]) {
      input.addEventListener("input", () => {
        start = parse(startInput.value);
        end = parse(endInput.value);
        toggle.textContent = summary();
      });
    }
    toggle.textContent = summary();
  }

  for (const wrapper of document.querySelectorAll("[data-date-range]")) setup(wrapper);
})();
