// "使用当前位置" on the 初报 form: the phone's GPS position (WGS-84) into the latitude and
// longitude fields, with the coordinate system set to WGS-84.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-locate]");
    if (!button) { return; }
    if (!navigator.geolocation) { button.textContent = button.dataset.failed; return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
      document.getElementById("id_coord_system").value = "wgs84";
    }, function () { button.textContent = button.dataset.failed; }, { timeout: 10000 });
  });
})();
