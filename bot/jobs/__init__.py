"""Scheduled work: the clock process, run-due, the stand-up and weekly-report jobs and the
report's charts.

May import: bot.services, bot.views, bot.domain, bot.charts, bot.db, bot.unit_of_work,
bot.slack (to start the app and look up channels), models.
"""
