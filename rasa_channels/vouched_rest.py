"""Rasa's REST channel, but the sender is whoever the caller's JWT vouches for.

Rasa's own `rest` channel takes the sender id from the request body and checks nothing, so
anyone who reaches Rasa and names a linked sender id acts as that person (the actions take the
sender id as the person, R22). This channel is the same REST channel
(`POST /webhooks/vouched_rest/webhook`, body `{"message": "..."}`) with one difference: the
request must carry `Authorization: Bearer <JWT>` signed with the shared secret of
credentials.yml, and the JWT's subject (`sub`) is the sender id. A body `sender` that differs
from it is refused. The front end that authenticated the person (a portal, an app backend)
signs the token; a token without `sub`, expired (`exp`), or signed otherwise gets 401.

credentials.yml:

    rasa_channels.vouched_rest.VouchedRestInput:
      jwt_secret: ${RASA_REST_JWT_SECRET}     # unquoted, so that Rasa substitutes it
      jwt_algorithm: HS256

Rasa finds this module because it puts its working directory on the import path: start
`rasa run` from the repository's folder.
"""

from __future__ import annotations

from typing import Any

import jwt
from rasa.core.channels.channel import InputChannel
from rasa.core.channels.rest import RestInput
from sanic.exceptions import Forbidden, Unauthorized
from sanic.request import Request

MIN_SECRET_LENGTH = 32


class VouchedRestInput(RestInput):
    """REST input whose sender id is the subject of a verified JWT."""

    @classmethod
    def name(cls) -> str:
        return "vouched_rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        secret = str(credentials.get("jwt_secret") or "")
        if len(secret) < MIN_SECRET_LENGTH or "${" in secret:
            raise ValueError(
                "vouched_rest: jwt_secret must be set (RASA_REST_JWT_SECRET, at least "
                f"{MIN_SECRET_LENGTH} characters)"
            )
        return cls(secret, str(credentials.get("jwt_algorithm") or "HS256"))

    def __init__(self, secret: str, algorithm: str = "HS256") -> None:
        self.secret = secret
        self.algorithm = algorithm

    def vouched_sender(self, request: Request) -> str:
        scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("a Bearer token is required")
        try:
            claims = jwt.decode(
                token.strip(),
                self.secret,
                algorithms=[self.algorithm],
                options={"require": ["sub"]},
            )
        except jwt.PyJWTError:
            raise Unauthorized("invalid token") from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise Unauthorized("the token names no sender")
        return subject

    async def _extract_sender(self, req: Request) -> str | None:
        sender = self.vouched_sender(req)
        claimed = (req.json or {}).get("sender")
        if claimed not in (None, "", sender):
            raise Forbidden("the sender is not the one the token vouches for")
        return sender

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()
