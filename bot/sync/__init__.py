"""Live CRM sync, the CRM side's counterpart of the unit of work: the webhook endpoints, the
reconciling poll, and the outbox's CRM deliveries (a webhook's records fetched and applied, a
Slack change written to the CRM).

Each one asks the CRM (bot/crm/) and Slack's directory first, outside any transaction, then
applies what it learnt through bot/services/crm.py in one transaction whose notices become
outbox rows, as a command's do.

May import: bot.crm, bot.services, bot.views, bot.domain, bot.results, bot.db,
bot.unit_of_work, bot.slack.directory, models. Never handlers.
"""
