"""The web board: `/board/<token>`, the read-only wallboard for an office TV, served by the
same WSGI application as /slack/events (bot/slack/app.py routes `/board/` here).

One short read-only transaction per request; Jinja2 templates that auto-escape every value;
the page's script, stylesheet and CJK font are served from the package (nothing from outside).

May import: bot.services, bot.views, bot.domain, bot.results, bot.db, bot.runtime, bot.charts
(the palette), models. Never handlers, bot.slack, bot.jobs, bot.sync, slack_bolt or slack_sdk.
"""
