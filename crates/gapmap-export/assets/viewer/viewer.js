// gapmap static viewer: draws the package's district layers with Leaflet (vendored), coloured
// with the same classes as the PNG choropleths. Data comes from data.js (window.GAPMAP), a
// script rather than fetched JSON, so the page works from file:// with no server.
(function () {
  "use strict";
  var data = window.GAPMAP;
  var status = document.getElementById("status");
  if (!data || !window.L) {
    status.textContent = "The viewer's data or Leaflet did not load: keep index.html next to its viewer/ folder.";
    return;
  }

  var map = L.map("map", { zoomSnap: 0.25, preferCanvas: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(data.attribution);

  var layerSelect = document.getElementById("layer");
  var mapSelect = document.getElementById("field");
  var current = null;
  var drawn = null;
  var byId = {};
  var legend = L.control({ position: "bottomright" });
  // The legend folds away (a button), and starts folded on a narrow screen, where it would
  // cover the districts.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  legend.onAdd = function () {
    var box = L.DomUtil.create("div", "legend" + (narrow ? " folded" : ""));
    var toggle = L.DomUtil.create("button", "legend-toggle", box);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", narrow ? "false" : "true");
    toggle.textContent = "Legend";
    this.div = L.DomUtil.create("div", "legend-body", box);
    L.DomEvent.disableClickPropagation(box);
    toggle.addEventListener("click", function () {
      var folded = box.classList.toggle("folded");
      toggle.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    return box;
  };
  legend.addTo(map);

  function esc(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fmt(value, kind) {
    if (value === null || value === undefined || value === "") return "–";
    switch (kind) {
      case "percent": return (value * 100).toFixed(1) + "%";
      case "percent2": return (value * 100).toFixed(2) + "%";
      case "index": return (value * 100).toFixed(1);
      case "mbps": return Math.round(value) + " Mbps";
      case "dollars": return "$" + Math.round(value).toLocaleString("en-US");
      case "price": return "$" + Number(value).toFixed(2);
      case "count": return Math.round(value).toLocaleString("en-US");
      case "number1": return Number(value).toFixed(1);
      default: return String(value);
    }
  }

  function classOf(value, m) {
    for (var i = 0; i < m.upper.length; i++) {
      if (value <= m.upper[i]) return i;
    }
    return m.upper.length - 1;
  }

  function colourOf(index, m) {
    var feature = current.features[index];
    var value = m.values[index];
    if (feature.properties.suppressed || value === null) return null;
    return m.colours[classOf(value, m)];
  }

  function popup(feature, m, index) {
    var p = feature.properties;
    var rows = [["District", esc(p.name) + " <span class=muted>(" + esc(p.geoid) + ")</span>"]];
    if (p.suppressed) {
      rows.push(["Withheld", esc(p.suppressed)]);
    } else {
      rows.push([esc(m.title), fmt(m.values[index], m.format)]);
      data.popup.forEach(function (f) {
        var v = p[f.field];
        if (v === null || v === undefined) return;
        var text = fmt(v, f.format);
        if (f.moe && p[f.moe] !== null && p[f.moe] !== undefined) text += " ± " + fmt(p[f.moe], f.format);
        rows.push([esc(f.label), text]);
      });
    }
    return "<table class=popup>" + rows.map(function (r) {
      return "<tr><th>" + r[0] + "</th><td>" + r[1] + "</td></tr>";
    }).join("") + "</table>";
  }

  function drawLegend(m) {
    var html = "<div class=legend-title>" + esc(m.legend) + "</div>";
    for (var i = m.upper.length - 1; i >= 0; i--) {
      var low = i === 0 ? m.min : m.upper[i - 1];
      var label = i === 0 && low === m.upper[0] ? fmt(low, m.format)
        : i === 0 ? fmt(low, m.format) + " – " + fmt(m.upper[i], m.format)
        : "> " + fmt(low, m.format) + " – " + fmt(m.upper[i], m.format);
      html += "<div><span class=swatch style='background:" + m.colours[i] + "'></span>" + label + "</div>";
    }
    var withheld = 0, missing = 0;
    current.features.forEach(function (f, i) {
      if (f.properties.suppressed) withheld++;
      else if (m.values[i] === null) missing++;
    });
    if (withheld > 0) {
      html += "<div><span class='swatch hatched'></span>Withheld to protect privacy, §8 (" + withheld + ")</div>";
    }
    if (missing > 0) {
      html += "<div><span class=swatch style='background:" + data.noData + "'></span>" + esc(m.noData) + " (" + missing + ")</div>";
    }
    html += "<div class=muted>" + esc(m.method) + "</div>";
    legend.div.innerHTML = html;
  }

  function show(layerIndex, mapIndex) {
    current = data.layers[layerIndex];
    var m = current.maps[mapIndex];
    if (drawn) map.removeLayer(drawn);
    var index = 0;
    byId = {};
    drawn = L.geoJSON(current, {
      style: function (feature) {
        var i = current.features.indexOf(feature);
        var colour = colourOf(i, m);
        return {
          color: "#333", weight: 0.8, opacity: 0.8,
          fillColor: colour || data.noData, fillOpacity: 0.85,
          className: feature.properties.suppressed ? "withheld" : ""
        };
      },
      onEachFeature: function (feature, layer) {
        var i = index++;
        layer.bindPopup(function () { return popup(feature, m, i); }, { maxWidth: 420 });
        // Small layers (wards) carry their names on the map, as the PNG maps do.
        if (current.features.length <= 12) {
          layer.bindTooltip(esc(feature.properties.name), { permanent: true, direction: "center", className: "district-label" });
        }
        byId[feature.properties.geoid] = layer;
        layer.on("mouseover", function () { layer.setStyle({ weight: 2.5, color: "#000" }); });
        layer.on("mouseout", function () { drawn.resetStyle(layer); });
      }
    }).addTo(map);
    map.fitBounds(drawn.getBounds(), { padding: [10, 10] });
    drawLegend(m);
    remember({ layer: current.name, map: m.id, open: null });
    document.getElementById("title").textContent = m.title + ", by " + current.title;
    document.body.dataset.layer = current.name;
    document.body.dataset.map = m.id;
    document.body.dataset.features = String(drawn.getLayers().length);
    status.textContent = drawn.getLayers().length + " " + current.plural + " drawn.";
    showCharts(current);
    showFiles(current);
  }

  function fillMaps(layerIndex) {
    mapSelect.innerHTML = "";
    data.layers[layerIndex].maps.forEach(function (m, i) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = m.title;
      mapSelect.appendChild(option);
    });
  }

  function showCharts(layer) {
    var box = document.getElementById("charts");
    box.innerHTML = layer.charts.map(function (c) {
      return "<figure><a href='" + esc(c.png) + "'><img loading=lazy src='" + esc(c.png) + "' alt='" + esc(c.title) +
        "'></a><figcaption>" + esc(c.title) + " · <a href='" + esc(c.png) + "'>PNG</a> · <a href='" + esc(c.svg) + "'>SVG</a></figcaption></figure>";
    }).join("");
  }

  function showFiles(layer) {
    var list = document.getElementById("files");
    list.innerHTML = layer.files.map(function (f) {
      return "<li><a href='" + esc(f.path) + "'>" + esc(f.path) + "</a> – " + esc(f.label) + "</li>";
    }).join("");
  }

  data.layers.forEach(function (layer, i) {
    var option = document.createElement("option");
    option.value = String(i);
    option.textContent = layer.title + " (" + layer.features.length + ")";
    layerSelect.appendChild(option);
  });
  layerSelect.addEventListener("change", function () {
    fillMaps(Number(layerSelect.value));
    show(Number(layerSelect.value), 0);
  });
  mapSelect.addEventListener("change", function () {
    show(Number(layerSelect.value), Number(mapSelect.value));
  });

  // The address holds the view (?layer=&map=&open=), so a view can be shared as a link. On
  // file:// some browsers refuse to change it; the view then still works.
  function remember(change) {
    var params = new URLSearchParams(window.location.search);
    Object.keys(change).forEach(function (key) {
      if (change[key] === null) params.delete(key);
      else params.set(key, change[key]);
    });
    try {
      window.history.replaceState(null, "", "?" + params.toString() + window.location.hash);
    } catch (e) {
      // A browser that forbids it (file:// in some): the address is not updated.
    }
    document.body.dataset.address = window.location.search;
  }
  map.on("popupopen", function (e) {
    var feature = e.popup._source && e.popup._source.feature;
    if (feature) remember({ open: feature.properties.geoid });
  });
  map.on("popupclose", function () { remember({ open: null }); });
  // Rotating a phone or resizing the window keeps the districts in view.
  window.addEventListener("resize", function () {
    map.invalidateSize();
    if (drawn) map.fitBounds(drawn.getBounds(), { padding: [10, 10] });
  });

  // ?layer=<name>&map=<id> opens a given map (links, and the browser test); a name the package
  // does not have is said, not silently replaced.
  var params = new URLSearchParams(window.location.search);
  var asked = { layer: params.get("layer"), map: params.get("map"), open: params.get("open") };
  var unknown = [];
  var start = data.layers.findIndex(function (l) { return l.name === asked.layer; });
  if (start < 0) {
    if (asked.layer) unknown.push("no layer \u201c" + asked.layer + "\u201d (this package has " + data.layers.map(function (l) { return l.name; }).join(", ") + ")");
    start = 0;
  }
  layerSelect.value = String(start);
  fillMaps(start);
  var startMap = data.layers[start].maps.findIndex(function (m) { return m.id === asked.map; });
  if (startMap < 0) {
    if (asked.map) unknown.push("no map \u201c" + asked.map + "\u201d for " + data.layers[start].name + " (it has " + data.layers[start].maps.map(function (m) { return m.id; }).join(", ") + ")");
    startMap = 0;
  }
  mapSelect.value = String(startMap);
  show(start, startMap);
  // ?open=<id> opens that district's popup (deep links).
  if (asked.open && byId[asked.open]) {
    byId[asked.open].openPopup();
    document.body.dataset.opened = asked.open;
  } else if (asked.open) {
    unknown.push("no district \u201c" + asked.open + "\u201d in " + data.layers[start].name);
  }
  if (unknown.length > 0) {
    var note = document.getElementById("notice");
    note.textContent = "The link asks for " + unknown.join("; ") + ": showing " + data.layers[start].maps[startMap].title + ", by " + data.layers[start].title + " instead.";
    note.hidden = false;
    document.body.dataset.unknown = unknown.join("; ");
  }
})();
