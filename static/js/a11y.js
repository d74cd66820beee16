/* Keyboard use of every page (WCAG 2.1.1, 2.4.3, 2.4.7), loaded by the desktop base template.
 *
 * A wide table's scrolling box (.table-responsive) that really scrolls is made focusable, so
 * the keyboard can scroll it too (on load, on resize and after an htmx swap).
 *
 * Keyboard users keep their place when htmx replaces part of a page. The portal's htmx regions (an import's progress, a report's status) replace themselves
 * (outerHTML) while the user may be on a link or button inside them. When the focused element
 * is inside the region being swapped, focus moves, after the swap, to the element with the same
 * id in the new content, else to the new region itself (made focusable for that with
 * tabindex="-1"). Focus elsewhere is left alone, so a poll never pulls the reader away. */
(function () {
  "use strict";
  var pending = null;

  function scrollablesFocusable(root) {
    (root || document).querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (!box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      } else if (box.getAttribute("tabindex") === "0") {
        box.removeAttribute("tabindex");
      }
    });
  }
  scrollablesFocusable();
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { scrollablesFocusable(); }, 200);
  });

  function focused() {
    var active = document.activeElement;
    return active && active !== document.body && document.contains(active) ? active : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = focused();
    pending = null;
    if (target && active && target.contains(active)) {
      pending = { regionId: target.id, focusId: active.id, region: target };
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    scrollablesFocusable();
    if (!pending || focused()) { pending = null; return; }
    var region = (pending.regionId && document.getElementById(pending.regionId)) ||
      (document.contains(pending.region) ? pending.region : event.detail.elt);
    var next = (pending.focusId && document.getElementById(pending.focusId)) || region;
    pending = null;
    if (!next || !document.contains(next)) return;
    if (next.tabIndex < 0 && !next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    next.focus({ preventScroll: true });
  });
})();
