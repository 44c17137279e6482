"""The WSGI application gunicorn serves (`gunicorn bot.wsgi:application`)."""

from __future__ import annotations

from bot.app import create_app
from bot.config import load_settings

application = create_app(load_settings()).wsgi()
