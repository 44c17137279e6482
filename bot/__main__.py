"""`python -m bot` is the `salesbot` command."""

from bot.cli import main

raise SystemExit(main())
