"""How API callers prove who they are, and how often they may call.

Every router takes ``API_AUTH``: a personal token (``Authorization: Bearer ow_…``) or the browser
session (with its CSRF check on writes). Either way the caller acts as their own user, so the API's
scope is exactly the pages' scope: the same selectors decide.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth
from ninja.throttling import SimpleRateThrottle

from onewindow.accounts.tokens import authenticate_token
from onewindow.core.http import client_ip


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = authenticate_token(token, source_ip=client_ip(request))
        if found is None:
            return None
        request.user = found.user
        request.api_token = found
        return found


API_AUTH = [BearerToken(), django_auth]


class ClientRateThrottle(SimpleRateThrottle):
    """One budget per token, else per signed-in user, else per address; 429 with Retry-After."""

    scope = "client"

    def __init__(self):
        super().__init__(settings.ONEWINDOW_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate on each call, so that a changed setting (or a test's) takes effect at once.
        self.rate = settings.ONEWINDOW_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        token = getattr(request, "api_token", None)
        if token is not None:
            ident = f"token-{token.pk}"
        elif getattr(request, "user", None) is not None and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
