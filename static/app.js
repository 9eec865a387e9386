// ystorfa: the one script of the served page. Shows a tag's evidence when a
// highlighted word is selected in the document view. Page text is only ever
// set with textContent, never parsed as HTML.
(function () {
  "use strict";
  function show(mark) {
    var box = document.getElementById("evidence");
    if (!box) return;
    var dl = box.querySelector("dl");
    var hint = box.querySelector(".hint");
    while (dl.firstChild) dl.removeChild(dl.firstChild);
    var rows = [
      ["Theme", mark.dataset.label + " (" + mark.dataset.theme + ")"],
      ["Rule", mark.dataset.rule],
      ["Matched", mark.dataset.matched],
      ["Weight", mark.dataset.weight],
      ["Polarity", mark.dataset.polarity === "negated" ? "negated (e.g. \u201cno evidence of\u201d): does not count" : "present"],
    ];
    var passage = mark.closest(".passage");
    if (passage && passage.dataset.section) rows.push(["Section", passage.dataset.section]);
    rows.forEach(function (r) {
      var dt = document.createElement("dt");
      dt.textContent = r[0];
      var dd = document.createElement("dd");
      dd.textContent = r[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    dl.hidden = false;
    if (hint) hint.hidden = true;
    document.querySelectorAll("mark.tag.active").forEach(function (m) { m.classList.remove("active"); });
    mark.classList.add("active");
  }
  document.addEventListener("click", function (e) {
    var m = e.target.closest && e.target.closest("mark.tag");
    if (m) show(m);
  });
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Enter" || e.key === " ") && e.target.matches && e.target.matches("mark.tag")) {
      e.preventDefault();
      show(e.target);
    }
  });
})();
