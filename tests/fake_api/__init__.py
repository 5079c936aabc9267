"""The parts of the fake Bot API: Telegram's errors, its HTML parse mode, its published API."""
