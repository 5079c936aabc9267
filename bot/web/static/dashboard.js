// Inside Telegram: say the page is ready and use the whole height; draw the browser's own
// parts (scroll bars, lists) in Telegram's scheme, not the system's; on a partnership's page,
// Telegram's back button goes back to the list. Outside Telegram, nothing to do.
(function () {
  var app = window.Telegram && window.Telegram.WebApp;
  if (!app) return;
  function scheme() {
    if (app.colorScheme) document.documentElement.style.colorScheme = app.colorScheme;
  }
  scheme();
  app.onEvent("themeChanged", scheme);
  app.ready();
  app.expand();
  if (app.BackButton && !/\/$/.test(location.pathname)) {
    app.BackButton.show();
    app.BackButton.onClick(function () { history.back(); });
  }
})();
