"""The Telegram adapter: handlers, update processing, delivery."""
