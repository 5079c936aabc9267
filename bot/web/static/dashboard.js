// Inside Telegram: say the page is ready and use the whole height; on a partnership's page,
// Telegram's back button goes back to the list. Outside Telegram, nothing to do.
(function () {
  var app = window.Telegram && window.Telegram.WebApp;
  if (!app) return;
  app.ready();
  app.expand();
  if (app.BackButton && !/\/$/.test(location.pathname)) {
    app.BackButton.show();
    app.BackButton.onClick(function () { history.back(); });
  }
})();
