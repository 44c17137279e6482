"""The WSGI application gunicorn serves (`gunicorn bot.slack.wsgi:application`)."""

from __future__ import annotations

from bot.config import load_settings
from bot.slack.app import create_app

application = create_app(load_settings()).wsgi()
