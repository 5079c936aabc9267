"""The dashboard: every partnership of a user on one page, served by the bot's own aiohttp
server (or alone, `alliance web`), opened inside Telegram as a Mini App or in a browser.
The pages call the same use cases as the bot and render their results with their own
templates; they never read the database."""
