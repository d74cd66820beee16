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
 * Without tiles (data-map-base-url) the offline base layer is drawn under the records: the
 * district outlines of a static GeoJSON with their names, and the names of the user's streets
 * (data-map-streets, [[name, lat, lng], ...]); a name is shown only where it fits at the zoom.
 * With data-map-point-labels the points carry their titles (the district map's streets).
 * The legend is drawn below the map, never over a point, and every draw fills the table of
 * the points (the list alternative, [data-map-list]) beside the map.
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

  function legendEntry(entry) {
    var swatch = el("span", "legend-swatch" + (entry.ring ? " ring" : ""));
    swatch.style.backgroundColor = entry.color;
    swatch.style.borderColor = entry.color;
    return swatch;
  }

  function drawLegend(box, legend, counts, title) {
    box.textContent = "";
    box.hidden = !legend.length;
    if (!legend.length) return;
    box.appendChild(el("span", "legend-title", title));
    legend.forEach(function (entry) {
      var row = el("span", "legend-row");
      row.setAttribute("data-legend-value", entry.value);
      row.appendChild(legendEntry(entry));
      row.appendChild(el("span", "legend-label", entry.label));
      row.appendChild(el("span", "legend-count", "(" + (counts[entry.value] || 0) + ")"));
      box.appendChild(row);
    });
  }

  function drawList(body, rows, ds, map) {
    body.textContent = "";
    if (!rows.length) {
      var empty = el("tr");
      var cell = el("td", "text-secondary", ds.mapEmpty);
      cell.colSpan = 3;
      empty.appendChild(cell);
      body.appendChild(empty);
      return;
    }
    rows.forEach(function (item) {
      var tr = el("tr");
      var name = el("td");
      if (item.props.url && !item.props.cluster) {
        var link = el("a", "", item.props.title || ds.mapDetails);
        link.href = item.props.url;
        name.appendChild(link);
      } else {
        name.textContent = item.props.title || "";
      }
      var kind = el("td");
      kind.appendChild(legendEntry(item.entry));
      kind.appendChild(document.createTextNode(item.entry.label || String(item.value || "")));
      var note = el("td");
      if (item.props.cluster) {
        note.appendChild(
          document.createTextNode(
            (ds.mapClusterCount || "{n}").replace("{n}", String(item.props.count || 0)) + " "
          )
        );
        if (item.props.bounds) {
          var zoom = el("button", "btn btn-link btn-sm p-0 align-baseline", ds.mapZoomTo);
          zoom.type = "button";
          zoom.addEventListener("click", function () {
            map.fitBounds(item.props.bounds);
            map.getContainer().focus();
          });
          note.appendChild(zoom);
        }
      } else {
        note.textContent = (item.props.lines || []).join("；");
      }
      tr.appendChild(name);
      tr.appendChild(kind);
      tr.appendChild(note);
      body.appendChild(tr);
    });
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

  function pointMarker(lat, lng, props, entry, value, detailsLabel, labelled) {
    var marker = L.circleMarker([lat, lng], {
      radius: entry.ring ? 11 : 8,
      color: entry.color,
      weight: entry.ring ? 3 : 1.5,
      fillColor: entry.color,
      fillOpacity: entry.ring ? 0.05 : 0.85,
      className: "map-point map-point-" + String(value),
    });
    marker.bindPopup(popupContent(props, detailsLabel));
    if (props.title && labelled) {
      marker.portalName = String(props.title); // placed by placeNames once the view is set
    } else if (props.title) {
      marker.bindTooltip(tooltipContent(props.title));
    }
    return marker;
  }

  var NAME_SIDES = [
    // direction, offset, and the name's box relative to the point (width w, height h)
    ["right", [8, 0], function (w, h) { return [10, -h / 2, 10 + w, h / 2]; }],
    ["left", [-8, 0], function (w, h) { return [-10 - w, -h / 2, -10, h / 2]; }],
    ["top", [0, -8], function (w, h) { return [-w / 2, -10 - h, w / 2, -10]; }],
    ["bottom", [0, 8], function (w, h) { return [-w / 2, 10, w / 2, 10 + h]; }],
  ];

  function overlaps(a, b) {
    return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  }

  function placeNames(map, layer) {
    // The names the points carry (the district map's streets): each on the first side where
    // it covers no other name and no other point; the right-hand side when none is free.
    var named = [];
    var dots = [];
    layer.eachLayer(function (m) {
      var p = map.latLngToContainerPoint(m.getLatLng());
      dots.push([p.x - 8, p.y - 8, p.x + 8, p.y + 8]);
      if (m.portalName) named.push({ marker: m, point: p, dot: dots.length - 1 });
    });
    var placed = [];
    named.forEach(function (n) {
      var w = 13 * n.marker.portalName.length + 8;
      var h = 18;
      var side = NAME_SIDES[0];
      var box = null;
      for (var k = 0; k < NAME_SIDES.length; k++) {
        var r = NAME_SIDES[k][2](w, h);
        var candidate = [n.point.x + r[0], n.point.y + r[1], n.point.x + r[2], n.point.y + r[3]];
        var free = placed.every(function (b) { return !overlaps(b, candidate); }) &&
          dots.every(function (d, j) { return j === n.dot || !overlaps(d, candidate); });
        if (free) { side = NAME_SIDES[k]; box = candidate; break; }
      }
      if (!box) {
        var r0 = side[2](w, h);
        box = [n.point.x + r0[0], n.point.y + r0[1], n.point.x + r0[2], n.point.y + r0[3]];
      }
      placed.push(box);
      n.marker.unbindTooltip();
      n.marker.bindTooltip(el("span", "portal-map-point-label", n.marker.portalName), {
        permanent: true,
        direction: side[0],
        offset: side[1],
        className: "portal-map-name",
      });
    });
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
    var rows = [];
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
        pointMarker(lat, lng, props, entry, value, ds.mapDetails, !!ds.mapPointLabels)
          .addTo(state.layer);
      }
      rows.push({ props: props, entry: entry, value: value });
      bounds.push([lat, lng]);
      drawn += 1;
    });
    container.setAttribute("data-map-points", String(drawn));
    container.setAttribute("data-map-clusters", String(clusters));
    if (state.legendBox) {
      drawLegend(state.legendBox, legend, data.counts || counts, ds.mapLegendTitle);
    }
    if (state.listBody) drawList(state.listBody, rows, ds, map);
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
    if (ds.mapPointLabels) {
      placeNames(map, state.layer);
      if (!state.namesOnZoom) {
        state.namesOnZoom = true;
        map.on("zoomend", function () { placeNames(map, state.layer); });
      }
    }
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

  function fits(map, label, bounds) {
    // a name is shown where the area it names is wider on screen than the name itself
    if (!bounds) return map.getZoom() >= 12;
    var width = map.latLngToContainerPoint(bounds.getNorthEast()).x -
      map.latLngToContainerPoint(bounds.getSouthWest()).x;
    return width > 14 * label.length + 16;
  }

  function nameMarker(lat, lng, text, className) {
    return L.marker([lat, lng], {
      pane: "portalBaseLabels",
      interactive: false,
      keyboard: false,
      icon: L.divIcon({
        className: "portal-map-base-label " + className,
        html: el("span", "", text),
        iconSize: null,
      }),
    });
  }

  function drawBase(map, ds) {
    // panes below the records (overlayPane is 400): outlines at the tiles' level, names above
    map.createPane("portalBase").style.zIndex = 250;
    map.createPane("portalBaseLabels").style.zIndex = 390;
    var names = [];
    var labels = L.layerGroup().addTo(map);
    var streets = [];
    try { streets = JSON.parse(ds.mapStreets || "[]"); } catch (e) { streets = []; }
    function refresh() {
      names.forEach(function (n) {
        var on = n.street ? map.getZoom() >= 12 : fits(map, n.text, n.bounds);
        if (on && !labels.hasLayer(n.marker)) labels.addLayer(n.marker);
        if (!on && labels.hasLayer(n.marker)) labels.removeLayer(n.marker);
      });
    }
    streets.forEach(function (s) {
      names.push({ text: s[0], street: true, marker: nameMarker(s[1], s[2], s[0], "street") });
    });
    fetch(ds.mapBaseUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        var outlines = L.geoJSON(data, {
          pane: "portalBase",
          interactive: false,
          style: function () {
            return { color: "#7d8a96", weight: 1.2, fillColor: "#ffffff", fillOpacity: 0.75 };
          },
        }).addTo(map);
        outlines.eachLayer(function (layer) {
          var p = layer.feature.properties;
          if (!p.label) return;
          names.push({
            text: p.name,
            bounds: layer.getBounds(),
            marker: nameMarker(p.label[1], p.label[0], p.name, "district"),
          });
        });
        map.getContainer().setAttribute("data-map-base", String(data.features.length));
        refresh();
      })
      .catch(function () {
        map.getContainer().setAttribute("data-map-base", "error");
      });
    map.on("zoomend", refresh);
    refresh();
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
    } else if (ds.mapBaseUrl) {
      drawBase(map, ds);
    }
    container.portalMap = map;
    var wrap = container.closest(".portal-map-wrap") || container.parentNode;
    var state = {
      layer: L.layerGroup().addTo(map),
      legendBox: wrap.querySelector("[data-map-legend]"),
      listBody: wrap.querySelector("[data-map-list]"),
      request: 0,
    };
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
