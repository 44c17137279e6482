"""The end-to-end fixtures (a set-up team, signed slash commands) serve these tests too."""

from tests.e2e.conftest import drain, say, team

__all__ = ["drain", "say", "team"]
