// Site form: the partner fields only matter for 协议储备 (agreement storage).
(function () {
  "use strict";
  var mode = document.getElementById("id_mode");
  if (!mode) { return; }
  var names = ["partner", "partner_contact", "partner_phone", "contract_end"];
  function wrapper(name) {
    var input = document.getElementById("id_" + name);
    return input ? input.closest(".mb-3") || input.parentElement : null;
  }
  function update() {
    var agreement = mode.value === "agreement";
    names.forEach(function (name) {
      var el = wrapper(name);
      if (el) { el.hidden = !agreement; }
    });
  }
  mode.addEventListener("change", update);
  update();
})();
