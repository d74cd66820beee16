/* Portal maps: draws the points of a GeoJSON-ish FeatureCollection on a Leaflet map.
 *
 * Every element with [data-map-data-url] becomes a map. Settings come from data-* attributes
 * rendered by the {% map_panel %} template tag (apps/maps/templatetags/maps.py): tile URL (may be
 * empty: then no tile layer, the points are drawn on a blank background), attribution, centre,
 * zoom, and the feature property that picks each point's legend entry (and so its colour).
 * No inline script, no innerHTML with server data: text goes through textContent.
 */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function popupContent(props, detailsLabel) {
    var box = el("div", "portal-map-popup");
    box.appendChild(el("div", "popup-title", props.title || ""));
    (props.lines || []).forEach(function (line) {
      box.appendChild(el("p", "popup-line", line));
    });
    if (props.url) {
      var link = el("a", "", detailsLabel);
      link.href = props.url;
      box.appendChild(link);
    }
    return box;
  }

  function legendControl(legend, counts, title) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", "portal-map-legend");
      box.appendChild(el("div", "legend-title", title));
      legend.forEach(function (entry) {
        var row = el("div", "legend-row");
        row.setAttribute("data-legend-value", entry.value);
        var swatch = el("span", "legend-swatch" + (entry.ring ? " ring" : ""));
        swatch.style.backgroundColor = entry.color;
        swatch.style.borderColor = entry.color;
        row.appendChild(swatch);
        row.appendChild(el("span", "legend-label", entry.label));
        row.appendChild(el("span", "legend-count", "(" + (counts[entry.value] || 0) + ")"));
        box.appendChild(row);
      });
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    return control;
  }

  function setStatus(container, text) {
    var status = container.querySelector(".map-status");
    if (!text) {
      if (status) status.remove();
      return;
    }
    if (!status) {
      status = el("div", "map-status");
      container.appendChild(status);
    }
    status.textContent = text;
  }

  function draw(container, map, data) {
    var ds = container.dataset;
    var property = ds.mapColorProperty || "level";
    var legend = data.legend || [];
    var byValue = {};
    legend.forEach(function (entry) { byValue[entry.value] = entry; });
    var counts = {};
    var bounds = [];
    var drawn = 0;
    (data.features || []).forEach(function (feature) {
      var geometry = feature.geometry || {};
      var props = feature.properties || {};
      if (geometry.type !== "Point" || !geometry.coordinates) return;
      var lng = Number(geometry.coordinates[0]);
      var lat = Number(geometry.coordinates[1]);
      if (!isFinite(lat) || !isFinite(lng)) return;
      var value = props[property];
      var entry = byValue[value] || { color: "#6c757d" };
      counts[value] = (counts[value] || 0) + 1;
      var marker = L.circleMarker([lat, lng], {
        radius: entry.ring ? 11 : 8,
        color: entry.color,
        weight: entry.ring ? 3 : 1.5,
        fillColor: entry.color,
        fillOpacity: entry.ring ? 0.05 : 0.85,
        className: "map-point map-point-" + String(value),
      });
      marker.bindPopup(popupContent(props, ds.mapDetails));
      if (props.title) marker.bindTooltip(String(props.title));
      marker.addTo(map);
      bounds.push([lat, lng]);
      drawn += 1;
    });
    container.setAttribute("data-map-points", String(drawn));
    if (legend.length) legendControl(legend, counts, ds.mapLegendTitle).addTo(map);
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 16);
    }
    setStatus(container, drawn ? "" : ds.mapEmpty);
  }

  function init(container) {
    if (typeof L === "undefined" || container.getAttribute("data-map-ready")) return;
    container.setAttribute("data-map-ready", "1");
    var ds = container.dataset;
    var center = [31.2304, 121.4737];
    try { center = JSON.parse(ds.mapCenter); } catch (e) { /* keep the default */ }
    var map = L.map(container, { preferCanvas: false }).setView(center, Number(ds.mapZoom) || 13);
    if (ds.mapTileUrl) {
      L.tileLayer(ds.mapTileUrl, { attribution: ds.mapAttribution || "", maxZoom: 19 }).addTo(map);
    }
    container.portalMap = map;
    setStatus(container, ds.mapLoading);
    fetch(ds.mapDataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { draw(container, map, data); })
      .catch(function () {
        container.setAttribute("data-map-points", "error");
        setStatus(container, ds.mapError);
      });
  }

  function initAll() {
    document.querySelectorAll("[data-map-data-url]").forEach(init);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initAll);
  } else {
    initAll();
  }
})();
