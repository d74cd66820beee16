// 出库/调拨/报损: the lot list offers only the lots of the item chosen (each option carries
// its item in data-item); a lot of another item chosen before is cleared.
(function () {
  "use strict";
  var item = document.getElementById("id_item");
  var lot = document.getElementById("id_lot");
  if (!item || !lot) { return; }
  function update() {
    Array.prototype.forEach.call(lot.options, function (option) {
      if (!option.value) { return; }  // 自动（先到期先出）
      var other = option.getAttribute("data-item") !== item.value;
      option.hidden = other;
      option.disabled = other;
      if (other && option.selected) { lot.value = ""; }
    });
  }
  item.addEventListener("change", update);
  update();
})();
