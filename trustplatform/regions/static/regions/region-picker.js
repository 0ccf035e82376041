// Area autocomplete (trustplatform/regions/forms.py RegionInput): as the name is typed, the areas that
// match are listed from /api/v1/regions/; choosing one puts its code in the hidden input. Typing again
// clears the code, so a form never sends a code that no longer matches the name shown.
(() => {
  const DELAY_MS = 150;

  function setUp(picker) {
    const text = picker.querySelector("input[type=text]");
    const code = picker.querySelector("[data-region-code]");
    const list = picker.querySelector("[role=listbox]");
    let options = [];
    let active = -1;
    let timer = null;
    let pending = null;

    function close() {
      list.hidden = true;
      text.setAttribute("aria-expanded", "false");
      text.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      active = index;
      list.querySelectorAll("[role=option]").forEach((item, position) => {
        item.setAttribute("aria-selected", position === index ? "true" : "false");
        if (position === index) {
          text.setAttribute("aria-activedescendant", item.id);
          item.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function choose(index) {
      const region = options[index];
      if (!region) return;
      text.value = region.name;
      code.value = region.code;
      close();
      text.dispatchEvent(new CustomEvent("region-chosen", { bubbles: true, detail: region }));
    }

    function show(results) {
      options = results;
      list.replaceChildren();
      if (!results.length) {
        const empty = document.createElement("li");
        empty.className = "region-empty";
        empty.textContent = picker.dataset.empty;
        list.append(empty);
      }
      results.forEach((region, index) => {
        const item = document.createElement("li");
        item.id = `${list.id}_${index}`;
        item.setAttribute("role", "option");
        item.dataset.code = region.code;
        item.textContent = region.name;
        // mousedown, not click: it comes before the text box loses focus and closes the list.
        item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(index); });
        list.append(item);
      });
      list.hidden = false;
      text.setAttribute("aria-expanded", "true");
      highlight(results.length ? 0 : -1);
    }

    async function lookUp(query) {
      if (pending) pending.abort();
      pending = new AbortController();
      const params = new URLSearchParams({ q: query, limit: "10" });
      if (picker.dataset.levels) params.set("level", picker.dataset.levels);
      try {
        const response = await fetch(`${picker.dataset.url}?${params}`, {
          headers: { Accept: "application/json" }, credentials: "same-origin", signal: pending.signal,
        });
        if (!response.ok) return;
        const body = await response.json();
        if (text.value.trim() === query) show(body.results);
      } catch (error) {
        if (error.name !== "AbortError") close();
      }
    }

    text.addEventListener("input", () => {
      code.value = "";
      clearTimeout(timer);
      const query = text.value.trim();
      if (!query) { close(); return; }
      timer = setTimeout(() => lookUp(query), DELAY_MS);
    });

    text.addEventListener("keydown", (event) => {
      if (list.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        if (options.length) highlight((active + step + options.length) % options.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });

    text.addEventListener("blur", close);
  }

  document.querySelectorAll("[data-region-picker]").forEach(setUp);
})();
