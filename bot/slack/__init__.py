"""The Slack edge: the bolt app and its middleware, OAuth, the directory look-ups, the Web API
client, the outbox sender, and the refusal of interactions whose values do not decode.

May import: bot.services, bot.views, bot.domain, bot.db, bot.unit_of_work, handlers, models,
slack_bolt, slack_sdk. Nothing below it imports it.
"""
