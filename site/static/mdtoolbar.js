"use strict";
// A small Markdown toolbar above a textarea (bold, heading, list, link, image). An image is
// sent straight to the uploads bucket with a presigned POST (the same checks as work-order
// photos: POST /api/publishing/images), and its key goes into the text as an image.
(() => {
  const P = window.Portal;

  function wrap(area, before, after, placeholder) {
    const { selectionStart: s, selectionEnd: e, value } = area;
    const chosen = value.slice(s, e) || placeholder;
    area.setRangeText(before + chosen + after, s, e, "select");
    area.focus();
  }

  function linePrefix(area, prefix) {
    const { selectionStart: s, value } = area;
    const start = value.lastIndexOf("\n", s - 1) + 1;
    area.setRangeText(prefix, start, start, "end");
    area.focus();
  }

  function postForm(offer, file) {
    return new Promise((resolve) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(offer.fields)) form.append(k, v);
      form.append("file", file, file.name || "image"); // the file goes last
      const xhr = new XMLHttpRequest();
      xhr.open("POST", offer.url);
      xhr.timeout = offer.expires_in * 1000;
      xhr.onload = () => resolve(xhr.status >= 200 && xhr.status < 300);
      xhr.onerror = () => resolve(false);
      xhr.ontimeout = () => resolve(false);
      xhr.send(form);
    });
  }

  // `estate()` gives the estate the image is for; `note(text, isError)` shows progress.
  function attach(bar, estate, note, labels) {
    const area = document.getElementById(bar.dataset.for);
    const file = bar.querySelector("input[type=file]");
    if (!area) return;
    bar.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-md]");
      if (!b) return;
      const kind = b.dataset.md;
      if (kind === "bold") wrap(area, "**", "**", labels["toolbar.bold"] || "");
      else if (kind === "heading") linePrefix(area, "## ");
      else if (kind === "list") linePrefix(area, "- ");
      else if (kind === "link") {
        const href = window.prompt(labels["toolbar.link_prompt"] || "https://", "https://");
        if (href && /^(https?:|mailto:|tel:)/i.test(href)) wrap(area, "[", `](${href})`, href);
      } else if (kind === "image" && file) file.click();
    });
    if (!file) return;
    file.addEventListener("change", async () => {
      const f = file.files && file.files[0];
      file.value = "";
      if (!f) return;
      note(labels.uploading, false);
      const r = await P.call("POST", "/api/publishing/images",
        { estate: estate(), content_type: f.type || "image/jpeg", size: f.size }, 20000);
      if (!r.ok) return note(P.errorText(r), true);
      if (!(await postForm(r.data, f))) return note(P.msgs.error, true);
      area.setRangeText(`\n![](${r.data.key})\n`, area.selectionStart, area.selectionEnd, "end");
      note(labels.uploaded, false);
    });
  }

  window.MdToolbar = Object.freeze({ attach });
})();
