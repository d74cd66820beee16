// Destructive forms (deleting a file, e.g. an application's evidence) carry the question in
// data-confirm; the form is sent only when the user says yes. The button may sit elsewhere
// in the page (form="..."): the question is asked on the form's submit event either way.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
})();
