"""The dashboard's routes, added to the bot's own aiohttp server (beside the webhook and the
health check) or served alone (`alliance web`). Pages are aiohttp-jinja2 templates,
autoescaped, in the viewer's language; our one script and style sheet are served from
static/, never from elsewhere."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.i18n import TEMPLATE_DIR
from bot.web import pages
from bot.web.config import CONFIG, WebConfig
from bot.web.format import FILTERS, gettext, ngettext
from bot.web.session import add_auth_routes

HERE = Path(__file__).parent


def dashboard_app(config: WebConfig) -> web.Application:
    """A server with the dashboard alone."""
    app = web.Application()
    add_dashboard(app, config)
    return app


def add_dashboard(app: web.Application, config: WebConfig) -> None:
    """The dashboard's pages, sign-in routes and static files under config.prefix."""
    app[CONFIG] = config
    environment = aiohttp_jinja2.setup(
        app,
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(HERE / "templates"), jinja2.FileSystemLoader(TEMPLATE_DIR)]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)
    environment.filters.update(FILTERS)
    add_auth_routes(app, config)
    prefix = config.prefix
    app.router.add_get(f"{prefix}/", pages.portfolio, name="portfolio")
    app.router.add_get(f"{prefix}/portfolio.csv", pages.portfolio_csv)
    app.router.add_get(f"{prefix}/p/{{pid:\\d+}}", pages.partnership)
    app.router.add_get(f"{prefix}/p/{{pid:\\d+}}/documents/{{doc:\\d+}}", pages.download)
    app.router.add_post(f"{prefix}/alerts/{{alert:\\d+}}", pages.alert)
    app.router.add_static(f"{prefix}/static", HERE / "static")
