"""The outside world: python-telegram-bot handlers, the terminal adapter, the CLI."""
