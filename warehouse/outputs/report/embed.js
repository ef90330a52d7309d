(function () {
  "use strict";
  var charts = Array.prototype.slice.call(document.querySelectorAll("[data-vega-spec]"));
  var jobs = charts.map(function (element) {
    var spec = JSON.parse(document.getElementById(element.getAttribute("data-vega-spec")).textContent);
    return vegaEmbed(element, spec, { renderer: "svg", actions: false, ast: true })
      .then(function () { element.setAttribute("data-rendered", "true"); });
  });
  Promise.all(jobs).then(
    function () { document.body.setAttribute("data-charts", "rendered"); },
    function (error) { document.body.setAttribute("data-charts", "failed"); console.error(error); }
  );
})();
