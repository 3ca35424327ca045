// gapmap static viewer: draws the package's district layers with Leaflet (vendored), coloured
// with the same classes as the PNG choropleths. Data comes from data.js (window.GAPMAP), a
// script rather than fetched JSON, so the page works from file:// with no server. A layer too
// large for that (`tiles` in data.js) is drawn from vector tiles (Mapbox Vector Tile 2.1) in a
// PMTiles archive, read by HTTP range requests with the vendored pmtiles.js: only the tiles in
// view are fetched, whatever the layer's size. That needs a web server (`gapmap serve`).
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

  function popup(p, m, value) {
    var rows = [["District", esc(p.name) + " <span class=muted>(" + esc(p.geoid) + ")</span>"]];
    if (p.suppressed) {
      rows.push(["Withheld", esc(p.suppressed)]);
    } else {
      rows.push([esc(m.title), fmt(value, m.format)]);
      data.popup.forEach(function (f) {
        var v = p[f.field];
        if (v === null || v === undefined) return;
        var text = fmt(v, f.format);
        if (f.moe && p[f.moe] !== null && p[f.moe] !== undefined) text += " ± " + fmt(p[f.moe], f.format);
        rows.push([esc(f.label), text]);
      });
      // The layer's own fields (METHOD.md §10), as published, with their unit.
      current.own.forEach(function (f) {
        var v = p[f.field];
        if (v === null || v === undefined) return;
        rows.push([esc(f.field), Number(v).toLocaleString("en-US", { maximumFractionDigits: 3 }) + " <span class=muted>" + esc(f.unit) + "</span>"]);
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
    var withheld = m.withheld || 0, missing = m.missing || 0;
    if (current.features) {
      current.features.forEach(function (f, i) {
        if (f.properties.suppressed) withheld++;
        else if (m.values[i] === null) missing++;
      });
    }
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
    map.closePopup();
    if (current.tiles) return showTiles(mapIndex);
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
        layer.bindPopup(function () { return popup(feature.properties, m, m.values[i]); }, { maxWidth: 420 });
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
    remember({ layer: current.name, map: m.id, open: null, at: null });
    document.getElementById("title").textContent = m.title + ", by " + current.title;
    document.body.dataset.layer = current.name;
    document.body.dataset.map = m.id;
    document.body.dataset.features = String(drawn.getLayers().length);
    status.textContent = drawn.getLayers().length + " " + current.plural + " drawn.";
    showCharts(current);
    showFiles(current);
  }


  // ---- Large layers: vector tiles from a PMTiles archive, by HTTP range requests ----
  var archives = {};
  var decoded = new Map();
  var bytesRead = 0;
  var tiled = null;

  function archive(layer) {
    if (!archives[layer.name]) {
      var url = new URL("viewer/" + layer.tiles, window.location.href).href;
      archives[layer.name] = new pmtiles.PMTiles({
        getKey: function () { return url; },
        getBytes: function (offset, length, signal) {
          var range = "bytes=" + offset + "-" + (offset + length - 1);
          return fetch(url, { headers: { Range: range }, signal: signal }).then(function (r) {
            if (!r.ok) throw new Error("the server answered HTTP " + r.status + " for " + url);
            return r.arrayBuffer().then(function (buf) {
              bytesRead += buf.byteLength;
              document.body.dataset.bytes = String(bytesRead);
              if (r.status === 200) {
                // A server without range requests sent the whole file: still correct, not small.
                document.body.dataset.noRanges = "true";
                buf = buf.slice(offset, offset + length);
              }
              return { data: buf };
            });
          });
        }
      });
    }
    return archives[layer.name];
  }

  // Mapbox Vector Tile 2.1 (a protocol buffer): each layer's features with their properties
  // and rings in tile units.
  function decodeTile(buffer) {
    var bytes = new Uint8Array(buffer);
    var view = new DataView(buffer);
    var pos = 0;
    var text = new TextDecoder();
    function varint() {
      var value = 0, shift = 1, b;
      do { b = bytes[pos++]; value += (b & 0x7f) * shift; shift *= 128; } while (b >= 0x80);
      return value;
    }
    function skip(wire) {
      if (wire === 0) varint();
      else if (wire === 1) pos += 8;
      else if (wire === 2) { var n = varint(); pos += n; }
      else if (wire === 5) pos += 4;
      else throw new Error("not a vector tile (wire type " + wire + ")");
    }
    function fields(end, each) {
      while (pos < end) {
        var key = varint();
        each(Math.floor(key / 8), key & 7);
      }
    }
    function packed() {
      var end = varint() + pos, out = [];
      while (pos < end) out.push(varint());
      return out;
    }
    function value(end) {
      var v = null;
      fields(end, function (field, wire) {
        if (field === 1) { var n = varint(); v = text.decode(bytes.subarray(pos, pos + n)); pos += n; }
        else if (field === 2) { v = view.getFloat32(pos, true); pos += 4; }
        else if (field === 3) { v = view.getFloat64(pos, true); pos += 8; }
        else if (field === 4 || field === 5) v = varint();
        else if (field === 6) { var z = varint(); v = z % 2 ? -(z + 1) / 2 : z / 2; }
        else if (field === 7) v = varint() === 1;
        else skip(wire);
      });
      return v;
    }
    function rings(commands) {
      var out = [], ring = null, x = 0, y = 0, i = 0;
      var zz = function (n) { return n % 2 ? -(n + 1) / 2 : n / 2; };
      while (i < commands.length) {
        var id = commands[i] & 7, count = Math.floor(commands[i] / 8);
        i++;
        if (id === 7) { if (ring) out.push(ring); ring = null; continue; }
        for (var k = 0; k < count; k++) {
          x += zz(commands[i++]); y += zz(commands[i++]);
          if (id === 1) { if (ring) out.push(ring); ring = [[x, y]]; }
          else ring.push([x, y]);
        }
      }
      if (ring) out.push(ring);
      return out;
    }
    var features = [];
    fields(bytes.length, function (field, wire) {
      if (field !== 3) return skip(wire);
      var end = varint() + pos, keys = [], values = [], raw = [];
      fields(end, function (f, w) {
        if (f === 3) { var n = varint(); keys.push(text.decode(bytes.subarray(pos, pos + n))); pos += n; }
        else if (f === 4) { var e = varint() + pos; values.push(value(e)); }
        else if (f === 2) {
          var fe = varint() + pos, feature = { tags: [], geometry: [] };
          fields(fe, function (ff, fw) {
            if (ff === 2) feature.tags = packed();
            else if (ff === 4) feature.geometry = packed();
            else skip(fw);
          });
          raw.push(feature);
        } else skip(w);
      });
      raw.forEach(function (f) {
        var props = {};
        for (var t = 0; t + 1 < f.tags.length; t += 2) props[keys[f.tags[t]]] = values[f.tags[t + 1]];
        features.push({ props: props, rings: rings(f.geometry) });
      });
    });
    return features;
  }

  // A tile's features (z ≤ the archive's deepest zoom), fetched once.
  function getTile(layer, z, x, y) {
    var key = layer.name + "/" + z + "/" + x + "/" + y;
    if (decoded.has(key)) return decoded.get(key);
    var promise = archive(layer).getZxy(z, x, y).then(function (r) {
      return r ? decodeTile(r.data) : [];
    });
    decoded.set(key, promise);
    promise.catch(function () { decoded.delete(key); });
    if (decoded.size > 400) decoded.delete(decoded.keys().next().value);
    return promise;
  }

  var hatch = null;
  function hatchPattern(ctx) {
    if (!hatch) {
      hatch = document.createElement("canvas");
      // 8 px, a divisor of the 256 px tiles, so the hatching runs on across tile edges.
      hatch.width = hatch.height = 8;
      var h = hatch.getContext("2d");
      h.fillStyle = "#d9d9d9"; h.fillRect(0, 0, 8, 8);
      h.strokeStyle = "#737373"; h.lineWidth = 1.5;
      h.beginPath();
      h.moveTo(0, 8); h.lineTo(8, 0);
      h.moveTo(-1, 1); h.lineTo(1, -1);
      h.moveTo(7, 9); h.lineTo(9, 7);
      h.stroke();
    }
    return ctx.createPattern(hatch, "repeat");
  }

  function fillOf(props, m, mapIndex, ctx) {
    if (props.withheld) return hatchPattern(ctx);
    var v = props["m" + mapIndex];
    return v === undefined || v === null ? data.noData : m.colours[classOf(v, m)];
  }

  var TileLayer = L.GridLayer.extend({
    createTile: function (coords, done) {
      var layer = this.options.gapmap, mapIndex = this.options.mapIndex;
      var m = layer.maps[mapIndex];
      var size = this.getTileSize(), ratio = window.devicePixelRatio || 1;
      var canvas = document.createElement("canvas");
      canvas.width = size.x * ratio; canvas.height = size.y * ratio;
      // Deeper than the archive: draw the part of the deepest tile that covers this one.
      var depth = Math.max(0, coords.z - layer.maxZoom);
      var z = coords.z - depth, x = Math.floor(coords.x / Math.pow(2, depth)), y = Math.floor(coords.y / Math.pow(2, depth));
      var span = 4096 / Math.pow(2, depth);
      var ox = (coords.x - x * Math.pow(2, depth)) * span, oy = (coords.y - y * Math.pow(2, depth)) * span;
      var scale = size.x * ratio / span;
      getTile(layer, z, x, y).then(function (features) {
        var ctx = canvas.getContext("2d");
        features.forEach(function (f) {
          ctx.beginPath();
          var lo = Infinity, hi = -Infinity;
          f.rings.forEach(function (ring) {
            ring.forEach(function (p, i) {
              var px = (p[0] - ox) * scale, py = (p[1] - oy) * scale;
              if (i === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
              lo = Math.min(lo, px); hi = Math.max(hi, px);
            });
            ctx.closePath();
          });
          ctx.fillStyle = fillOf(f.props, m, mapIndex, ctx);
          ctx.globalAlpha = 0.85;
          ctx.fill("evenodd");
          ctx.globalAlpha = 1;
          // Borders only where a district is big enough on screen for them to be seen.
          if (hi - lo > 6 * ratio) {
            ctx.lineWidth = 0.6 * ratio;
            ctx.strokeStyle = "rgba(51,51,51,0.7)";
            ctx.stroke();
          }
        });
        document.body.dataset.tilesDrawn = String(Number(document.body.dataset.tilesDrawn || 0) + 1);
        done(null, canvas);
      }).catch(function (e) {
        tileFailed(e);
        done(e, canvas);
      });
      return canvas;
    }
  });

  function tileFailed(e) {
    status.textContent = "The tiles of this layer could not be read: " + e.message +
      (window.location.protocol === "file:" ? "" : ". The server must answer range requests (most do; `python -m http.server` does not — use `gapmap serve`).");
  }

  function showTiles(mapIndex) {
    var m = current.maps[mapIndex];
    var b = current.bounds;
    var bounds = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
    map.fitBounds(bounds, { padding: [10, 10] });
    drawLegend(m);
    document.getElementById("title").textContent = m.title + ", by " + current.title;
    document.body.dataset.layer = current.name;
    document.body.dataset.map = m.id;
    document.body.dataset.features = String(current.count);
    showCharts(current);
    showFiles(current);
    remember({ layer: current.name, map: m.id });
    drawn = null;
    if (window.location.protocol === "file:") {
      // Browsers do not read files by ranges from a folder: say how to see this layer.
      var note = document.getElementById("notice");
      note.textContent = "The " + current.count.toLocaleString("en-US") + " " + current.plural +
        " of this layer are drawn from vector tiles, which a browser reads only from a web server: run `gapmap serve` on this folder and open the address it prints (or publish the folder as it is). The other layers work from the folder.";
      note.hidden = false;
      status.textContent = "This layer needs a web server.";
      document.body.dataset.needsServer = "true";
      return;
    }
    var started = performance.now();
    tiled = new TileLayer({
      gapmap: current, mapIndex: mapIndex, minNativeZoom: current.minZoom,
      bounds: bounds.pad(0.05), updateWhenZooming: false
    });
    tiled.once("load", function () {
      document.body.dataset.firstMapMs = String(Math.round(performance.now() - started));
      status.textContent = current.count.toLocaleString("en-US") + " " + current.plural +
        ", drawn from vector tiles (" + Math.round(bytesRead / 1024).toLocaleString("en-US") + " kB read).";
    });
    tiled.addTo(map);
    drawn = tiled;
    status.textContent = "Reading the tiles of " + current.count.toLocaleString("en-US") + " " + current.plural + "…";
  }

  // Even-odd point in rings (tile units).
  function inside(x, y, rings) {
    var odd = false;
    rings.forEach(function (ring) {
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = ring[i], b = ring[j];
        if ((a[1] > y) !== (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]) odd = !odd;
      }
    });
    return odd;
  }

  // The district at a place, from the deepest tile there (which holds the popup's figures);
  // `geoid`, when given, must match (a shared link).
  function openAt(latlng, geoid) {
    var layer = current, z = layer.maxZoom;
    var point = map.project(latlng, z);
    var x = Math.floor(point.x / 256), y = Math.floor(point.y / 256);
    var ux = (point.x - x * 256) * 16, uy = (point.y - y * 256) * 16;
    return getTile(layer, z, x, y).then(function (features) {
      var hit = features.find(function (f) {
        return (!geoid || f.props.geoid === geoid) && inside(ux, uy, f.rings);
      });
      if (!hit || current !== layer) return null;
      var mapIndex = Number(mapSelect.value);
      var m = layer.maps[mapIndex];
      L.popup({ maxWidth: 420 }).setLatLng(latlng).setContent(popup(hit.props, m, hit.props["m" + mapIndex])).openOn(map);
      var at = latlng.lat.toFixed(5) + "," + latlng.lng.toFixed(5) + "," + map.getZoom();
      remember({ open: hit.props.geoid, at: at });
      document.body.dataset.opened = hit.props.geoid;
      return hit;
    });
  }
  map.on("click", function (e) {
    if (current && current.tiles && tiled) openAt(e.latlng);
  });
  // A tiled layer is looked at a part at a time: the address keeps the view (centre and zoom)
  // so that a shared link opens the same part; with a popup open it keeps the popup's place.
  map.on("moveend", function () {
    if (!current || !current.tiles || !tiled || document.body.dataset.opened) return;
    var c = map.getCenter();
    remember({ at: c.lat.toFixed(5) + "," + c.lng.toFixed(5) + "," + map.getZoom() });
  });

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
    option.textContent = layer.title + " (" + (layer.features ? layer.features.length : layer.count) + ")";
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
  map.on("popupclose", function () {
    delete document.body.dataset.opened;
    remember({ open: null, at: null });
  });
  // Rotating a phone or resizing the window keeps the districts in view.
  window.addEventListener("resize", function () {
    map.invalidateSize();
    if (drawn && drawn.getBounds) map.fitBounds(drawn.getBounds(), { padding: [10, 10] });
  });

  // ?layer=<name>&map=<id> opens a given map (links, and the browser test); a name the package
  // does not have is said, not silently replaced.
  var params = new URLSearchParams(window.location.search);
  var asked = { layer: params.get("layer"), map: params.get("map"), open: params.get("open"), at: params.get("at") };
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
  // ?open=<id> opens that district's popup (deep links); in a tiled layer with its place,
  // ?at=<lat>,<lon>,<zoom>, which the page writes when a popup opens.
  var place = (asked.at || "").split(",").map(Number);
  if (data.layers[start].tiles && !asked.open && place.length === 3 && place.every(isFinite) && !document.body.dataset.needsServer) {
    map.setView([place[0], place[1]], place[2]);
  } else if (data.layers[start].tiles && asked.open) {
    if (place.length === 3 && place.every(isFinite) && !document.body.dataset.needsServer) {
      map.setView([place[0], place[1]], place[2]);
      openAt(L.latLng(place[0], place[1]), asked.open).then(function (hit) {
        if (!hit) showUnknown(["no district “" + asked.open + "” at " + asked.at + " in " + data.layers[start].name]);
      });
    } else if (!document.body.dataset.needsServer) {
      unknown.push("district “" + asked.open + "” without its place (at=lat,lon,zoom)");
    }
  } else if (asked.open && byId[asked.open]) {
    byId[asked.open].openPopup();
    document.body.dataset.opened = asked.open;
  } else if (asked.open) {
    unknown.push("no district \u201c" + asked.open + "\u201d in " + data.layers[start].name);
  }
  function showUnknown(list) {
    var note = document.getElementById("notice");
    note.textContent = "The link asks for " + list.join("; ") + ": showing " + data.layers[start].maps[startMap].title + ", by " + data.layers[start].title + " instead.";
    note.hidden = false;
    document.body.dataset.unknown = list.join("; ");
  }
  if (unknown.length > 0) showUnknown(unknown);
})();
