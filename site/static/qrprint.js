// A notice, printed for the lobby board (公告栏): loaded by large.js when the print button is
// pressed, never on an owner's first view. It draws the QR code of the page's address under
// the article, adds the A4 styles (print.css) and prints; after printing the page is as it was.
// The editor's A4 preview draws the same figure in Python (notice_print.html, portal.site.qr):
// the same symbol (byte mode, level M, mask 2, segno's padding), the same SVG, character for
// character (a browser test compares them).
(function () {
  "use strict";
  // Level M, versions 1–40: error-correction codewords per block, and blocks.
  var EC = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
    26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28];
  var BLOCKS = [1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18,
    20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49];
  var MASK = 2; // column % 3 == 0; fixed, as the build's codes

  function rawModules(v) { // the modules left for codewords once the patterns are drawn
    var r = (16 * v + 128) * v + 64;
    if (v >= 2) {
      var a = Math.floor(v / 7) + 2;
      r -= (25 * a - 10) * a - 55;
      if (v >= 7) r -= 36;
    }
    return r;
  }
  function dataCodewords(v) {
    return Math.floor(rawModules(v) / 8) - EC[v - 1] * BLOCKS[v - 1];
  }
  function mul(x, y) { // in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1
    var z = 0;
    for (var i = 7; i >= 0; i--) {
      z = (z << 1) ^ ((z >>> 7) * 0x11d);
      z ^= ((y >>> i) & 1) * x;
    }
    return z;
  }
  function divisor(degree) {
    var r = [], root = 1, i, j;
    for (i = 0; i < degree; i++) r.push(0);
    r[degree - 1] = 1;
    for (i = 0; i < degree; i++) {
      for (j = 0; j < degree; j++) {
        r[j] = mul(r[j], root);
        if (j + 1 < degree) r[j] ^= r[j + 1];
      }
      root = mul(root, 2);
    }
    return r;
  }
  function remainder(data, div) {
    var r = div.map(function () { return 0; });
    data.forEach(function (b) {
      var f = b ^ r.shift();
      r.push(0);
      div.forEach(function (c, i) { r[i] ^= mul(c, f); });
    });
    return r;
  }

  // The codewords of `bytes` as one byte-mode segment: [version, codewords in placing order].
  function codewords(bytes) {
    var n = bytes.length, v;
    for (v = 1; v <= 40; v++) if (4 + (v < 10 ? 8 : 16) + 8 * n <= dataCodewords(v) * 8) break;
    if (v > 40) return null;
    // Mode 0100 (bytes), the length, the bytes, the 4-bit terminator: whole bytes here.
    var bits = [], data = [], i, k;
    function push(value, length) {
      for (var b = length - 1; b >= 0; b--) bits.push((value >>> b) & 1);
    }
    push(4, 4);
    push(n, v < 10 ? 8 : 16);
    bytes.forEach(function (b) { push(b, 8); });
    push(0, 4);
    for (i = 0; i < bits.length; i += 8) {
      var word = 0;
      for (k = 0; k < 8; k++) word = (word << 1) | bits[i + k];
      data.push(word);
    }
    k = dataCodewords(v);
    data.push(0); // segno's padding: one zero codeword before the pad codewords
    for (i = 0; data.length < k; i++) data.push(i % 2 ? 0x11 : 0xec);
    data.length = k;
    var blocks = BLOCKS[v - 1], ec = EC[v - 1], raw = Math.floor(rawModules(v) / 8);
    var short = blocks - raw % blocks, shortLen = Math.floor(raw / blocks) - ec;
    var div = divisor(ec), parts = [], eccs = [], at = 0;
    for (i = 0; i < blocks; i++) {
      var len = shortLen + (i < short ? 0 : 1);
      var part = data.slice(at, at + len);
      at += len;
      parts.push(part);
      eccs.push(remainder(part, div));
    }
    var out = [], j;
    for (j = 0; j <= shortLen; j++)
      for (i = 0; i < blocks; i++) if (j < parts[i].length) out.push(parts[i][j]);
    for (j = 0; j < ec; j++) for (i = 0; i < blocks; i++) out.push(eccs[i][j]);
    return [v, out];
  }

  // The symbol's modules, row by row (true: dark), without the quiet zone.
  function matrix(text) {
    var bytes = Array.from(new TextEncoder().encode(text));
    var coded = codewords(bytes);
    if (!coded) return null;
    var v = coded[0], words = coded[1], size = 4 * v + 17, x, y, i;
    var dark = [], fixed = [];
    for (y = 0; y < size; y++) {
      dark.push(new Array(size).fill(false));
      fixed.push(new Array(size).fill(false));
    }
    function set(cx, cy, on) {
      dark[cy][cx] = on;
      fixed[cy][cx] = true;
    }
    for (i = 0; i < size; i++) {
      set(6, i, i % 2 === 0);
      set(i, 6, i % 2 === 0);
    }
    [[3, 3], [size - 4, 3], [3, size - 4]].forEach(function (c) {
      for (var dy = -4; dy <= 4; dy++) for (var dx = -4; dx <= 4; dx++) {
        var d = Math.max(Math.abs(dx), Math.abs(dy)), px = c[0] + dx, py = c[1] + dy;
        if (px >= 0 && px < size && py >= 0 && py < size) set(px, py, d !== 2 && d !== 4);
      }
    });
    var pos = [];
    if (v > 1) {
      var count = Math.floor(v / 7) + 2;
      var step = Math.floor((v * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
      for (var p = size - 7; pos.length < count - 1; p -= step) pos.unshift(p);
      pos.unshift(6);
    }
    pos.forEach(function (ay, a) {
      pos.forEach(function (ax, b) {
        var last = pos.length - 1;
        if ((a === 0 && b === 0) || (a === 0 && b === last) || (a === last && b === 0)) return;
        for (var dy = -2; dy <= 2; dy++) for (var dx = -2; dx <= 2; dx++)
          set(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      });
    });
    var rem = MASK, bits; // level M's two bits are 00
    for (i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    bits = ((MASK << 10) | rem) ^ 0x5412;
    function bit(value, k) { return ((value >>> k) & 1) !== 0; }
    for (i = 0; i <= 5; i++) set(8, i, bit(bits, i));
    set(8, 7, bit(bits, 6));
    set(8, 8, bit(bits, 7));
    set(7, 8, bit(bits, 8));
    for (i = 9; i < 15; i++) set(14 - i, 8, bit(bits, i));
    for (i = 0; i < 8; i++) set(size - 1 - i, 8, bit(bits, i));
    for (i = 8; i < 15; i++) set(8, size - 15 + i, bit(bits, i));
    set(8, size - 8, true);
    if (v >= 7) {
      rem = v;
      for (i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
      bits = (v << 12) | rem;
      for (i = 0; i < 18; i++) {
        var a2 = size - 11 + (i % 3), b2 = Math.floor(i / 3);
        set(a2, b2, bit(bits, i));
        set(b2, a2, bit(bits, i));
      }
    }
    i = 0; // the codewords' bits, two columns at a time, zigzag; the remainder bits are light
    for (var right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (var vert = 0; vert < size; vert++) for (var j = 0; j < 2; j++) {
        x = right - j;
        y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
        if (fixed[y][x]) continue;
        if (i < words.length * 8) dark[y][x] = bit(words[i >>> 3], 7 - (i & 7));
        i++;
        if (x % 3 === 0) dark[y][x] = !dark[y][x];
      }
    }
    return dark;
  }

  // The symbol as one SVG path, as portal.site.qr.qr_svg writes it.
  function svg(text, modulePx) {
    var rows = matrix(text);
    if (!rows) return "";
    var border = 4, n = rows.length, side = n + 2 * border, d = "";
    rows.forEach(function (row, y) {
      var end = row.lastIndexOf(true) + 1;
      d += "M" + border + " " + (y + border);
      for (var x = 0; x < end; x++) d += row[x] ? "h1" : "m1 0";
    });
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + side + " " + side +
      '" width="' + side * modulePx + '" height="' + side * modulePx + '" role="img" ' +
      'shape-rendering="crispEdges"><rect width="' + side + '" height="' + side +
      '" fill="#fff"/><path stroke="#000" d="' + d + '" transform="translate(0 .5)"/></svg>';
  }

  function escape(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  // The figure under the article (as notice_print.html writes it), the A4 styles, the class.
  function prepare(ready) {
    var button = document.getElementById("print");
    var article = document.querySelector("main article");
    var canonical = document.querySelector('link[rel="canonical"]');
    if (article && canonical && !article.querySelector("figure.qr")) {
      var url = canonical.href;
      article.insertAdjacentHTML("beforeend", '<figure class="qr">' + svg(url, 3) +
        "<figcaption>" + escape(button ? button.getAttribute("data-scan") || "" : "") +
        '<br><a href="' + escape(url) + '">' + escape(url) + "</a></figcaption></figure>");
    }
    document.body.classList.add("print");
    var css = button && button.getAttribute("data-css");
    var link = document.getElementById("print-css");
    if (!css || (link && link.sheet)) return ready();
    if (!link) {
      link = document.createElement("link");
      link.id = "print-css";
      link.rel = "stylesheet";
      link.href = css;
      document.head.appendChild(link);
    }
    link.addEventListener("load", ready);
    link.addEventListener("error", ready);
  }

  window.portalPrint = {
    svg: svg,
    print: function () {
      prepare(function () { window.print(); });
    },
  };
  // Printed from the browser's menu: the figure and the class at once (the styles, if loaded).
  window.addEventListener("beforeprint", function () { prepare(function () {}); });
  window.addEventListener("afterprint", function () { document.body.classList.remove("print"); });
})();
