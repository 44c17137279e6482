"""Typed results and notices: what services hand to views, as plain frozen dataclasses.

May import: bot.domain and the standard library. Services build them; views render them.
"""
