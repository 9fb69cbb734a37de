// Face diagram: a click places an injection at the nearest standard site and adds its row to the form.
// No inline script (the CSP forbids it); everything is wired from here.
(function () {
  "use strict";
  var svg = document.getElementById("face");
  var rows = document.querySelector("#site-rows tbody");
  var template = document.getElementById("site-row");
  if (!svg || !rows || !template) { return; }
  var layer = document.getElementById("placed");
  var sites = Array.prototype.slice.call(svg.querySelectorAll("circle.site"));
  var NS = "http://www.w3.org/2000/svg";

  function toDiagram(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX; point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function nearest(p) {
    var best = null, bestD = Infinity;
    sites.forEach(function (c) {
      var dx = c.cx.baseVal.value - p.x, dy = c.cy.baseVal.value - p.y, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = c; }
    });
    return best;
  }

  function mark(x, y) {
    var circle = document.createElementNS(NS, "circle");
    circle.setAttribute("cx", x); circle.setAttribute("cy", y); circle.setAttribute("r", "2.4");
    circle.setAttribute("fill", "#cc0000");
    layer.appendChild(circle);
    return circle;
  }

  // Rows the server sent back with a refused form: draw their marks and wire their remove buttons.
  Array.prototype.slice.call(rows.querySelectorAll("tr")).forEach(function (row) {
    var circle = mark(row.getAttribute("data-x"), row.getAttribute("data-y"));
    row.querySelector(".remove").addEventListener("click", function () { row.remove(); circle.remove(); });
  });

  svg.addEventListener("click", function (event) {
    var p = toDiagram(event);
    var site = nearest(p);
    if (!site) { return; }
    var x = Math.round(p.x * 10) / 10, y = Math.round(p.y * 10) / 10;
    var placed = mark(x, y);
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelector(".site-label").textContent = site.querySelector("title").textContent;
    row.querySelector("input[name=site]").value = site.getAttribute("data-site");
    row.querySelector("input[name=x]").value = x;
    row.querySelector("input[name=y]").value = y;
    row.querySelector(".remove").addEventListener("click", function () { row.remove(); placed.remove(); });
    rows.appendChild(row);
    var area = document.getElementById("area");
    if (area && rows.children.length === 1) { area.value = site.getAttribute("data-area"); }
    row.querySelector("input[name=amount]").focus();
  });
}());
