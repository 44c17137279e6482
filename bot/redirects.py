"""An HTTP opener that carries a token only where it was meant to go.

urllib's redirect handler copies a request's headers, Authorization included, to wherever a
3xx points. Salesbot's requests carry tokens (the bot token to Slack's file server, the CRMs'
tokens to their APIs), so a redirect is followed only to the same scheme and host as the
request it answers: never to another host, and never from https down to http.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlsplit


class RedirectRefused(urllib.error.URLError):
    """A redirect to another scheme or host: not followed, so the token stays home."""


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        old, new = urlsplit(req.full_url), urlsplit(newurl)
        if (old.scheme, old.netloc) != (new.scheme, new.netloc):
            raise RedirectRefused(f"redirect {code} to {new.scheme}://{new.hostname} refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener() -> urllib.request.OpenerDirector:
    """urlopen's opener, whose redirects stay on the request's own scheme and host."""
    return urllib.request.build_opener(_SameOrigin())
