"""Conversation logic, pure: takes answers, says what to ask or tell next. No Telegram, no SQL."""
