// Client-side search over window.KB_INDEX: every word of the query must appear
// in the title or text (substring match, so Japanese needs no tokenizer).
(function () {
  var params = new URLSearchParams(window.location.search);
  var q = (params.get("q") || "").trim();
  var box = document.getElementById("search-box");
  if (box) { box.value = q; }
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!q) { status.textContent = ""; return; }
  var terms = q.toLowerCase().split(/\s+/).filter(Boolean);
  var hits = (window.KB_INDEX || []).filter(function (doc) {
    var hay = (doc.title + " " + doc.labels.join(" ") + " " + doc.text).toLowerCase();
    return terms.every(function (t) { return hay.indexOf(t) !== -1; });
  });
  hits.sort(function (a, b) {
    var at = terms.every(function (t) { return a.title.toLowerCase().indexOf(t) !== -1; }) ? 0 : 1;
    var bt = terms.every(function (t) { return b.title.toLowerCase().indexOf(t) !== -1; }) ? 0 : 1;
    return at - bt;
  });
  status.textContent = hits.length + " / " + (window.KB_INDEX || []).length;
  hits.forEach(function (doc) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = doc.url;
    a.className = "search-hit";
    a.textContent = doc.title;
    var p = document.createElement("p");
    var i = doc.text.toLowerCase().indexOf(terms[0]);
    p.textContent = doc.text.slice(Math.max(0, i - 40), i + 80);
    li.appendChild(a);
    li.appendChild(p);
    list.appendChild(li);
  });
})();
