/* Portal maps: draws the points of a GeoJSON-ish FeatureCollection on a Leaflet map.
 *
 * Every element with [data-map-data-url] becomes a map. Settings come from data-* attributes
 * rendered by the {% map_panel %} template tag (apps/maps/templatetags/maps.py): tile URL (may be
 * empty: then no tile layer, the points are drawn on a blank background), attribution, centre,
 * zoom, and the feature property that picks each point's legend entry (and so its colour).
 *
 * A bounded map (data-map-bounded, see apps/maps/grid.py) asks again for the view on screen
 * (?bbox=west,south,east,north&zoom=z) after every move; its answers may hold clusters
 * (properties.cluster, .count, .bounds): numbered circles in the colour of their worst point,
 * which zoom to their cell when clicked. The legend shows the answer's "counts" when it has them.
 * No inline script, and no server string ever reaches Leaflet as a string: Leaflet inserts a
 * string tooltip, popup or icon as HTML, so a record named <img onerror=…> would become an
 * element. Every name is put into a DOM node with textContent and the node is passed instead.
 */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function tooltipContent(title) {
    return el("span", "portal-map-tooltip", title);
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

  function pointMarker(lat, lng, props, entry, value, detailsLabel) {
    var marker = L.circleMarker([lat, lng], {
      radius: entry.ring ? 11 : 8,
      color: entry.color,
      weight: entry.ring ? 3 : 1.5,
      fillColor: entry.color,
      fillOpacity: entry.ring ? 0.05 : 0.85,
      className: "map-point map-point-" + String(value),
    });
    marker.bindPopup(popupContent(props, detailsLabel));
    if (props.title) marker.bindTooltip(tooltipContent(props.title));
    return marker;
  }

  function clusterMarker(map, lat, lng, props, entry, value) {
    var count = String(props.count || 0);
    var size = 26 + 6 * count.length;
    var label = el("span", "cluster-count", count);
    label.style.backgroundColor = entry.ring ? "#fff" : entry.color;
    label.style.borderColor = entry.ring ? entry.color : "";
    label.style.color = entry.ring ? entry.color : "";
    var marker = L.marker([lat, lng], {
      icon: L.divIcon({
        className: "map-cluster map-cluster-" + String(value) + (entry.ring ? " ring" : ""),
        html: label,
        iconSize: [size, size],
      }),
    });
    if (props.title) {
      marker.bindTooltip(tooltipContent(props.title));
      marker.on("add", function () { // Leaflet makes the icon a focusable button: name it
        marker.getElement().setAttribute("aria-label", String(props.title));
      });
    }
    marker.on("click", function () {
      if (props.bounds) map.fitBounds(props.bounds);
    });
    return marker;
  }

  function draw(container, map, state, data, first) {
    var ds = container.dataset;
    var property = ds.mapColorProperty || "level";
    var legend = data.legend || [];
    var byValue = {};
    legend.forEach(function (entry) { byValue[entry.value] = entry; });
    var counts = {};
    var bounds = [];
    var drawn = 0;
    var clusters = 0;
    state.layer.clearLayers();
    (data.features || []).forEach(function (feature) {
      var geometry = feature.geometry || {};
      var props = feature.properties || {};
      if (geometry.type !== "Point" || !geometry.coordinates) return;
      var lng = Number(geometry.coordinates[0]);
      var lat = Number(geometry.coordinates[1]);
      if (!isFinite(lat) || !isFinite(lng)) return;
      var value = props[property];
      var entry = byValue[value] || { color: "#6c757d" };
      if (props.cluster) {
        counts[value] = (counts[value] || 0) + (props.count || 0);
        clusterMarker(map, lat, lng, props, entry, value).addTo(state.layer);
        clusters += 1;
      } else {
        counts[value] = (counts[value] || 0) + 1;
        pointMarker(lat, lng, props, entry, value, ds.mapDetails).addTo(state.layer);
      }
      bounds.push([lat, lng]);
      drawn += 1;
    });
    container.setAttribute("data-map-points", String(drawn));
    container.setAttribute("data-map-clusters", String(clusters));
    if (state.legend) state.legend.remove();
    state.legend = null;
    if (legend.length) {
      state.legend = legendControl(legend, data.counts || counts, ds.mapLegendTitle).addTo(map);
    }
    if (first) {
      var box = data.bbox;
      if (box && box.length === 4) {
        map.fitBounds([[box[1], box[0]], [box[3], box[2]]], { padding: [30, 30], maxZoom: 16 });
      } else if (bounds.length > 1) {
        map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
      } else if (bounds.length === 1) {
        map.setView(bounds[0], 16);
      }
    }
    setStatus(container, drawn ? "" : ds.mapEmpty);
  }

  function viewUrl(base, map) {
    var url = new URL(base, window.location.href);
    url.searchParams.set("bbox", map.getBounds().toBBoxString());
    url.searchParams.set("zoom", String(Math.round(map.getZoom())));
    return url.toString();
  }

  function load(container, map, state, url, first) {
    var ds = container.dataset;
    var request = ++state.request;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (request !== state.request) return; // the map moved on: a newer answer is coming
        if (first && ds.mapBounded) {
          // listening before the first fit, so the view it settles on is asked for at once
          // (the first answer was grouped for a guessed size of map)
          var timer = null;
          map.on("moveend", function () {
            window.clearTimeout(timer);
            timer = window.setTimeout(function () {
              load(container, map, state, viewUrl(ds.mapDataUrl, map), false);
            }, 250);
          });
        }
        draw(container, map, state, data, first);
      })
      .catch(function () {
        if (request !== state.request) return;
        container.setAttribute("data-map-points", "error");
        setStatus(container, ds.mapError);
      });
  }

  function init(container) {
    if (typeof L === "undefined" || container.getAttribute("data-map-ready")) return;
    container.setAttribute("data-map-ready", "1");
    var ds = container.dataset;
    var center = [31.2304, 121.4737];
    try { center = JSON.parse(ds.mapCenter); } catch (e) { /* keep the default */ }
    var map = L.map(container, { preferCanvas: false, maxZoom: 19 })
      .setView(center, Number(ds.mapZoom) || 13);
    if (ds.mapTileUrl) {
      L.tileLayer(ds.mapTileUrl, { attribution: ds.mapAttribution || "", maxZoom: 19 }).addTo(map);
    }
    container.portalMap = map;
    var state = { layer: L.layerGroup().addTo(map), legend: null, request: 0 };
    setStatus(container, ds.mapLoading);
    load(container, map, state, ds.mapDataUrl, true);
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
