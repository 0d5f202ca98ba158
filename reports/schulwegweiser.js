/* Schulwegweiser: the overview's filters and search. Without JavaScript the whole list shows
   and the form stays hidden. Nothing is loaded from elsewhere: the search (Pagefind) comes
   from the site's own pagefind/ folder, written by the post-render step. */
(() => {
  // the site's root (this file lies there): search results link below it, wherever the
  // site is published (Pagefind's default would be the host's root)
  const root = new URL(".", document.currentScript.src).pathname;
  const form = document.getElementById("bm-filter");
  if (form) {
    const items = [...document.querySelectorAll(".bm-schulliste li")];
    const status = form.querySelector(".bm-treffer");
    const apply = () => {
      const wanted = [...new FormData(form)].filter(([, value]) => value);
      let shown = 0;
      for (const item of items) {
        const match = wanted.every(([key, value]) =>
          (item.dataset[key] || "").split(" ").includes(value));
        item.hidden = !match;
        shown += match ? 1 : 0;
      }
      for (const section of document.querySelectorAll(".bm-bezirk")) {
        section.hidden = !section.querySelector("li:not([hidden])");
      }
      status.textContent = shown === 1
        ? `1 von ${items.length} Schulen`
        : `${shown} von ${items.length} Schulen`;
    };
    form.addEventListener("change", apply);
    form.addEventListener("submit", (event) => event.preventDefault());
    form.hidden = false;
    apply();
  }
  const area = document.getElementById("bm-suchbereich");
  if (area && window.PagefindUI) {
    area.hidden = false;
    new window.PagefindUI({
      element: "#bm-suche",
      baseUrl: root,
      showImages: false,
      showSubResults: false,
      resetStyles: false,
    });
    // the page's visible label names Pagefind's input (which has only a placeholder)
    const input = area.querySelector("#bm-suche input");
    if (input) input.id = "bm-suchfeld";
  }
})();
