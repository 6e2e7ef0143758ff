"""The Flask application class and the security headers, with per-request work done once.

Every request runs the same dozen hooks, builds the same layout links and sends the same
security headers. Flask and Flask-Talisman recompute each of them per request; the results
depend on nothing the request brings, so they are computed once per process here:

- `Wijkwerk.ensure_sync`: Flask asks per hook and per request whether a function is a
  coroutine function (`inspect.iscoroutinefunction`, ~16 calls a request): remembered.
- `Wijkwerk.url_for`: a URL is a function of its endpoint, its values (the page's tenant
  filled in first) and the script root, host and scheme of the request: the same call on
  the next request builds the same text. Built once and remembered (a Werkzeug build is
  ~25 µs; the menu, header and page links are a few dozen per page). Anchors, methods,
  absolute URLs, relative endpoints and values other than text and whole numbers are built
  as always.
- `CookieSessions`: Flask's signed-cookie sessions, with the signing serializer made once per
  secret key instead of twice per request (opening and saving the session).
- `SecurityHeaders`: Flask-Talisman, with the options of a view that has none of its own
  and the text of each policy computed once instead of per request. The headers sent are
  the same, byte for byte; a view with its own options (the payment pages) is served by
  Talisman's own code.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask.globals import _cv_request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman

#: bounds of the per-process memos (far above what the app has; a guard, not a tuning knob)
_SYNC_MAX = 4096
_URLS_MAX = 4096


class Wijkwerk(Flask):
    """Flask, remembering what is the same for every request (see the module docstring)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sync_memo: dict = {}
        self._url_memo: dict = {}
        self._memo_ok: bool | None = None
        self._endpoint_values: dict[str, frozenset[str]] = {}
        self.session_interface = CookieSessions()

    def ensure_sync(self, func):
        try:
            return self._sync_memo[func]
        except KeyError:
            pass
        except TypeError:  # unhashable: ask every time
            return super().ensure_sync(func)
        done = super().ensure_sync(func)
        if len(self._sync_memo) < _SYNC_MAX:
            self._sync_memo[func] = done
        return done

    def _memo_allowed(self) -> bool:
        """Whether built URLs may be remembered: when every url_defaults function is marked
        `memo_safe` (it only copies request state, such as the page's tenant, into the values
        an endpoint takes and is not given, which then are part of the key) and none is
        registered per blueprint. Also notes the values each endpoint takes."""
        allowed = self._memo_ok
        if allowed is None:
            defaults = [f for fs in self.url_default_functions.values() for f in fs]
            allowed = not (set(self.url_default_functions) - {None}) and all(
                getattr(f, "memo_safe", False) for f in defaults)
            takes: dict[str, frozenset[str]] = {}
            for rule in self.url_map.iter_rules():
                takes[rule.endpoint] = takes.get(rule.endpoint, frozenset()) | rule.arguments
            self._endpoint_values = takes
            if self._got_first_request:  # no rules or functions can be added any more
                self._memo_ok = allowed
        return allowed

    def url_for(self, endpoint: str, /, **values) -> str:
        req_ctx = _cv_request.get(None)
        # Flask's own options (_anchor, _method, _scheme, an absolute URL), relative endpoints
        # and values other than text and whole numbers: built as always.
        if req_ctx is None or endpoint[:1] == "." or not self._memo_allowed():
            return super().url_for(endpoint, **values)
        for name, value in values.items():
            if name[:1] == "_" or type(value) not in _MEMO_TYPES:
                return super().url_for(endpoint, **values)
        takes = self._endpoint_values.get(endpoint)
        if takes is None or not takes <= values.keys():
            # The url_defaults functions first (the tenant of the page): the key holds every
            # value the URL is built from, in their order (unknown ones become the query).
            self.inject_url_defaults(endpoint, values)
        # (with every value it takes given, the url_defaults functions add none)
        given = tuple((name, type(value), value) for name, value in values.items())
        adapter = req_ctx.url_adapter
        key = (endpoint, given, adapter.script_name, adapter.server_name, adapter.subdomain,
               adapter.url_scheme)
        url = self._url_memo.get(key)
        if url is None:
            url = super().url_for(endpoint, **values)
            if len(self._url_memo) >= _URLS_MAX:
                self._url_memo.clear()
            self._url_memo[key] = url
        return url


#: the value types a remembered URL may be built from (exact types: True is no 1 here)
_MEMO_TYPES = frozenset({str, int})


class CookieSessions(SecureCookieSessionInterface):
    """The signed-cookie session, its serializer made once per secret key (and fallbacks)."""

    _memo: tuple | None = None

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        memo = self._memo
        if memo is not None and memo[0] == key:
            return memo[1]
        serializer = super().get_signing_serializer(app)
        self._memo = (key, serializer)
        return serializer


class SecurityHeaders(Talisman):
    """Flask-Talisman with its per-request option lookups and policy texts done once (see the
    module docstring). Options are read from the instance at the first request: set them when
    constructing it, as app.py does."""

    def _get_local_options(self):
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "talisman_view_options", None) is not None:
            return super()._get_local_options()  # a view's own options: Talisman's way
        options = self.__dict__.get("_default_options")
        if options is None:
            options = self._default_options = super()._get_local_options()
        return options

    def _parse_policy(self, policy):
        if getattr(request, "csp_nonce", None) is not None:
            return super()._parse_policy(policy)  # a nonce: its text differs per request
        memo = self.__dict__.setdefault("_policy_memo", {})
        hit = memo.get(id(policy))
        if hit is not None and hit[0] is policy:
            return hit[1]
        text = super()._parse_policy(policy)
        if isinstance(policy, str) or len(memo) < 64:
            memo[id(policy)] = (policy, text)
        return text
