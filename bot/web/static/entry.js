// The Mini App's entry (templates/entry.html): hands Telegram's signed init data to the
// server, which answers with a session cookie, then goes to the portfolio. Without init
// data (a browser, or a reply keyboard's button, which signs no user) it says how to open
// the dashboard. No framework: one request, three messages.
(function () {
  "use strict";
  var body = document.body;
  var webApp = window.Telegram && window.Telegram.WebApp;

  function show(id) {
    document.getElementById("opening").hidden = true;
    document.getElementById(id).hidden = false;
  }

  if (!webApp || !webApp.initData) {
    show("signin");
    return;
  }
  webApp.ready();
  fetch(body.dataset.auth, {
    method: "POST",
    credentials: "same-origin",
    body: new URLSearchParams({ init_data: webApp.initData }),
  }).then(
    function (response) {
      if (response.status === 204) {
        window.location.replace(body.dataset.home);
      } else {
        show("signin");
      }
    },
    function () {
      show("failed");
    }
  );
})();
