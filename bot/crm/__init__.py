"""The CRM connectors: one module per CRM behind one interface (bot/crm/base.py), and the
encryption of their credentials.

A connector speaks its CRM's HTTP API and turns its answers into bot.domain.crm values; it
knows nothing of deals, members or the database.

May import: bot.domain, bot.config, the standard library and cryptography. Never models,
SQLAlchemy, bot.db, bot.services, bot.views, Slack libraries or the app.
"""
