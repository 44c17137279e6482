"""Developer tools: the local Slack stand-in, the signed-request driver, the console and the
demo.

May import anything in the project; nothing outside bot.dev, bot.cli and the tests imports it.
"""
