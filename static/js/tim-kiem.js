/* Tìm kiếm của phuongnews: đọc chỉ mục tĩnh do lệnh build tạo ra (src/phuongnews/search.py).
 * Không cần máy chủ, không thư viện ngoài. Chỉ tải các mảnh chỉ mục của những từ được gõ
 * và các bài sẽ hiển thị.
 * Site search for phuongnews: reads the static index written by the build; fetches only the
 * shards of the query's words and the documents shown. The folding rule must stay identical
 * to search.py (tested on the same cases). */
(function () {
  "use strict";

  var PAGE = 10;
  var TONES = { "\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5" };
  var LAST = "0123456789abcdefghijklmnopqrstuv";
  var MORE = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz_-";
  var WORD = /[\p{L}\p{N}_\u0300-\u036f]+/gu; // as search.py: letters, digits, _ and marks
  var INVISIBLE = /[\u200b\u200c\u200d\u2060\ufeff]/g;

  function foldWord(word) {
    return word.replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase()
      .normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC");
  }

  function markedWord(word) {
    var tone = "";
    var kept = "";
    var chars = word.toLowerCase().normalize("NFD");
    for (var i = 0; i < chars.length; i++) {
      var t = TONES[chars[i]];
      if (t) { if (!tone) tone = t; } else kept += chars[i];
    }
    return kept.normalize("NFC") + tone;
  }

  function words(text) {
    var clean = text.replace(INVISIBLE, "").normalize("NFC").toLowerCase();
    return clean.match(WORD) || [];
  }

  function fold(text) {
    return words(text).map(foldWord).filter(Boolean).join(" ");
  }

  /* Query words: folded term, and the marked form when the reader typed marks. */
  function parseQuery(text) {
    var seen = {};
    var terms = [];
    words(text).forEach(function (word) {
      var term = foldWord(word);
      if (!term || term.length > 40) return;
      var marked = markedWord(word);
      var key = term + " " + marked;
      if (seen[key]) return;
      seen[key] = true;
      terms.push({ term: term, marked: marked !== term ? marked : null });
    });
    return terms;
  }

  /* Postings as bits: bit i is document base + i (search.py's encode_postings). */
  function decode(text, base, size) {
    var bits = new Uint32Array((size + 31) >>> 5);
    if (!text) return bits;
    if (text.charAt(0) === "!") {
      var at = 1;
      var first = 0;
      while (MORE.indexOf(text.charAt(at)) >= 0) first = first * 32 + MORE.indexOf(text.charAt(at++));
      first = first * 32 + LAST.indexOf(text.charAt(at++)) - base;
      var raw = atob(text.slice(at));
      for (var i = 0; i < raw.length; i++) {
        var byte = raw.charCodeAt(i);
        for (var b = 0; byte; b++, byte >>>= 1) {
          if (byte & 1) { var k = first + i * 8 + b; bits[k >>> 5] |= 1 << (k & 31); }
        }
      }
      return bits;
    }
    var value = 0;
    var previous = -1;
    for (var j = 0; j < text.length; j++) {
      var ch = text.charAt(j);
      var more = MORE.indexOf(ch);
      if (more >= 0) { value = value * 32 + more; continue; }
      previous += value * 32 + LAST.indexOf(ch) + 1;
      var bit = previous - base;
      bits[bit >>> 5] |= 1 << (bit & 31);
      value = 0;
    }
    return bits;
  }

  function decodeList(text, size) {
    var bits = decode(text, 0, size);
    var ids = [];
    for (var w = 0; w < bits.length; w++) {
      var word = bits[w];
      while (word) {
        var low = word & -word;
        ids.push((w << 5) + 31 - Math.clz32(low));
        word ^= low;
      }
    }
    return ids;
  }

  function or(a, b) { for (var i = 0; i < a.length; i++) a[i] |= b[i]; return a; }
  function has(bits, i) { return (bits[i >>> 5] >>> (i & 31)) & 1; }

  /* ---- fetching, each file once ---- */
  function Index(url) {
    this.url = url;
    this.dir = url.slice(0, url.lastIndexOf("/") + 1);
    this.cache = {};
    this.manifest = null;
  }
  Index.prototype.get = function (path) {
    var self = this;
    if (!this.cache[path]) {
      var url = this.dir + path + "?v=" + this.manifest.version;
      this.cache[path] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + url);
        return r.json();
      }).catch(function (error) { delete self.cache[path]; throw error; });
    }
    return this.cache[path];
  };
  Index.prototype.load = function () {
    var self = this;
    if (!this.loading) {
      this.loading = fetch(this.url, { cache: "no-cache" }).then(function (r) {
        if (!r.ok) throw new Error(r.status + " " + self.url);
        return r.json();
      }).then(function (manifest) { self.manifest = manifest; return manifest; })
        .catch(function (error) { self.loading = null; throw error; });
    }
    return this.loading;
  };
  Index.prototype.shardOf = function (term) {
    var starts = this.manifest.shards;
    var lo = 0;
    var hi = starts.length - 1;
    if (hi < 0 || term < starts[0]) return -1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  };
  Index.prototype.entry = function (term) {
    var shard = this.shardOf(term);
    if (shard < 0) return Promise.resolve(null);
    return this.get("chi-muc/" + shard + ".json").then(function (data) {
      return Object.prototype.hasOwnProperty.call(data, term) ? data[term] : null;
    });
  };
  Index.prototype.doc = function (id) {
    return this.get("bai/" + Math.floor(id / this.manifest.chunk) + ".json").then(function (chunk) {
      for (var i = 0; i < chunk.length; i++) {
        var d = chunk[i];
        if (d[0] === id) return { id: id, url: d[1], title: d[2], iso: d[3], date: d[4], units: d[5], excerpt: d[6] };
      }
      throw new Error("bai " + id);
    });
  };

  /* ---- the search itself ---- */
  function run(index, terms, unitKey, year) {
    var m = index.manifest;
    // Document numbers come from dates (search.py's Numbering): the bits span the years' ranges.
    var base = m.years.length ? Math.min.apply(null, m.years.map(function (y) { return y[1]; })) : 0;
    var n = m.years.length ? Math.max.apply(null, m.years.map(function (y) { return y[2]; })) - base : 0;
    var entries = terms.map(function (t) { return index.entry(t.term); });
    var unitBits = unitKey ? index.get("don-vi/" + unitKey + ".json") : Promise.resolve(null);
    return Promise.all([Promise.all(entries), unitBits]).then(function (found) {
      var list = found[0];
      var perTerm = [];
      for (var k = 0; k < terms.length; k++) {
        var entry = list[k];
        if (!entry) return { ids: [], years: {} };
        var any = new Uint32Array((n + 31) >>> 5);
        var title = new Uint32Array(any.length);
        var exact = new Uint32Array(any.length);
        Object.keys(entry).forEach(function (form) {
          var t = decode(entry[form][0], base, n);
          var o = decode(entry[form][1], base, n);
          or(title, t);
          or(any, t);
          or(any, o);
          if (terms[k].marked && form === terms[k].marked) { or(exact, t); or(exact, o); }
        });
        perTerm.push({ any: any, title: title, exact: terms[k].marked ? exact : null });
      }
      var all = perTerm[0].any.slice();
      perTerm.slice(1).forEach(function (p) { for (var i = 0; i < all.length; i++) all[i] &= p.any[i]; });
      if (found[1] !== null) {
        var unit = decode(found[1], base, n);
        for (var u = 0; u < all.length; u++) all[u] &= unit[u];
      }
      var years = {};
      var range = null;
      m.years.forEach(function (y) {
        var count = 0;
        for (var i = y[1] - base; i < y[2] - base; i++) count += has(all, i);
        years[y[0]] = count;
        if (String(y[0]) === year) range = y;
      });
      if (year && !range) return { ids: [], years: years };
      var ids = [];
      var scores = {};
      var first = range ? range[1] - base : 0;
      var last = range ? range[2] - base : n;
      for (var bit = first; bit < last; bit++) {
        if (!has(all, bit)) continue;
        var id = bit + base;
        var exactCount = 0;
        var titleCount = 0;
        for (var p = 0; p < perTerm.length; p++) {
          if (perTerm[p].exact && has(perTerm[p].exact, bit)) exactCount++;
          if (has(perTerm[p].title, bit)) titleCount++;
        }
        scores[id] = exactCount * 1000 + titleCount;
        ids.push(id);
      }
      // Exact marks first, then words found in the title, then newer (a larger number).
      ids.sort(function (a, b) { return scores[b] - scores[a] || b - a; });
      return { ids: ids, years: years };
    });
  }

  /* ---- showing results ---- */
  function highlight(text, folded) {
    var fragment = document.createDocumentFragment();
    var at = 0;
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      if (folded[foldWord(match[0])]) {
        fragment.appendChild(document.createTextNode(text.slice(at, match.index)));
        var mark = document.createElement("mark");
        mark.textContent = match[0];
        fragment.appendChild(mark);
        at = match.index + match[0].length;
      }
    }
    fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function snippet(text, folded) {
    var match;
    var where = -1;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      if (folded[foldWord(match[0])]) { where = match.index; break; }
    }
    if (where < 80) return text.length > 220 ? text.slice(0, 220).replace(/\s+\S*$/, "") + " …" : text;
    var start = text.lastIndexOf(" ", where - 60);
    var piece = "… " + text.slice(start + 1, start + 221);
    return start + 221 < text.length ? piece.replace(/\s+\S*$/, "") + " …" : piece;
  }

  function Page(form) {
    this.form = form;
    this.input = form.querySelector("[name=q]");
    this.unit = form.querySelector("[name='don-vi']");
    this.year = form.querySelector("[name=nam]");
    this.status = document.getElementById("tim-kiem-trang-thai");
    this.list = document.getElementById("tim-kiem-ket-qua");
    this.more = document.getElementById("tim-kiem-them");
    var home = form.getAttribute("data-home");
    this.relative = /index\.html$/.test(home);
    this.root = home.replace(/index\.html$/, "");
    this.index = new Index(form.getAttribute("data-index"));
    this.unitNames = {};
    var self = this;
    Array.prototype.forEach.call(this.unit.options, function (o) { self.unitNames[o.value] = o.textContent; });
    this.yearLabels = {};
    Array.prototype.forEach.call(this.year.options, function (o) { self.yearLabels[o.value] = o.textContent; });
    this.serial = 0;
  }

  Page.prototype.link = function (url) {
    return this.root + url + (this.relative && /\/$/.test(url) ? "index.html" : "");
  };

  Page.prototype.syncUrl = function () {
    var params = new URLSearchParams();
    if (this.input.value.trim()) params.set("q", this.input.value.trim());
    if (this.unit.value) params.set("don-vi", this.unit.value);
    if (this.year.value) params.set("nam", this.year.value);
    var query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  };

  Page.prototype.search = function () {
    var self = this;
    var serial = ++this.serial;
    this.syncUrl();
    var text = this.input.value;
    var terms = parseQuery(text);
    this.list.textContent = "";
    this.list.hidden = true;
    this.more.parentNode.hidden = true;
    this.setYearCounts(null);
    if (!terms.length) {
      this.status.textContent = text.trim() ? "Hãy gõ chữ hoặc số để tìm." : "";
      return Promise.resolve();
    }
    this.status.textContent = "Đang tìm…";
    return this.index.load().then(function () {
      return run(self.index, terms, self.unit.value, self.year.value);
    }).then(function (result) {
      if (serial !== self.serial) return;
      self.setYearCounts(result.years);
      self.ids = result.ids;
      self.shown = 0;
      self.folded = {};
      terms.forEach(function (t) { self.folded[t.term] = true; });
      var where = (self.unit.value ? ", đơn vị " + self.unitNames[self.unit.value] : "") +
        (self.year.value ? ", năm " + self.year.value : "");
      self.status.textContent = result.ids.length
        ? "Tìm thấy " + result.ids.length + " bài với “" + text.trim() + "”" + where + "."
        : "Không tìm thấy bài nào với “" + text.trim() + "”" + where + ".";
      return self.showMore(serial);
    }).catch(function (error) {
      if (serial !== self.serial) return;
      self.status.textContent = "Không tải được chỉ mục tìm kiếm (" + error.message + ").";
    });
  };

  Page.prototype.setYearCounts = function (counts) {
    var self = this;
    Array.prototype.forEach.call(this.year.options, function (o) {
      if (!o.value) return;
      var label = self.yearLabels[o.value];
      o.textContent = counts ? label + " (" + (counts[o.value] || 0) + ")" : label;
    });
  };

  Page.prototype.showMore = function (serial) {
    var self = this;
    var batch = this.ids.slice(this.shown, this.shown + PAGE);
    this.shown += batch.length;
    return Promise.all(batch.map(function (id) { return self.index.doc(id); })).then(function (docs) {
      if (serial !== self.serial) return;
      docs.forEach(function (doc) { self.list.appendChild(self.item(doc)); });
      self.list.hidden = self.list.children.length === 0;
      self.more.parentNode.hidden = self.shown >= self.ids.length;
    });
  };

  Page.prototype.item = function (doc) {
    var li = document.createElement("li");
    li.className = "post-item search-result";
    var h = document.createElement("h2");
    h.className = "post-item-title";
    var a = document.createElement("a");
    a.href = this.link(doc.url);
    a.appendChild(highlight(doc.title, this.folded));
    h.appendChild(a);
    li.appendChild(h);
    var meta = document.createElement("p");
    meta.className = "post-item-meta";
    var time = document.createElement("time");
    time.dateTime = doc.iso;
    time.textContent = doc.date;
    meta.appendChild(time);
    var self = this;
    doc.units.forEach(function (key) {
      var tag = document.createElement("span");
      tag.className = "unit-tag";
      tag.textContent = self.unitNames[key] || key;
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(tag);
    });
    li.appendChild(meta);
    if (doc.excerpt) {
      var p = document.createElement("p");
      p.className = "post-item-summary search-snippet";
      p.appendChild(highlight(snippet(doc.excerpt, this.folded), this.folded));
      li.appendChild(p);
    }
    return li;
  };

  Page.prototype.start = function () {
    var self = this;
    var params = new URLSearchParams(location.search);
    this.input.value = params.get("q") || "";
    if (params.get("don-vi")) this.unit.value = params.get("don-vi");
    if (params.get("nam")) this.year.value = params.get("nam");
    var timer = null;
    this.input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.search(); }, 150);
    });
    this.unit.addEventListener("change", function () { self.search(); });
    this.year.addEventListener("change", function () { self.search(); });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      self.search();
    });
    this.more.addEventListener("click", function () { self.showMore(self.serial); });
    document.getElementById("tim-kiem-khong-js").hidden = true;
    return this.search();
  };

  window.phuongnewsSearch = { fold: fold, foldWord: foldWord, markedWord: markedWord, words: words,
    parseQuery: parseQuery, decodeList: decodeList };

  var form = document.querySelector("form.search-form[data-index]");
  if (form) {
    var page = new Page(form);
    window.phuongnewsSearch.ready = page.start();
  }
})();
