"""Who is acting: the ``Actor`` every service call takes and every store query scopes by.

An owner is an OIDC issuer and subject (the pair a provider promises never to reuse);
the email is kept only to show a person who they are signed in as. Without sign-in the
workbench runs for one person on 127.0.0.1: the local user, who owns the rows written
before owners existed and may open every page.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

LOCAL_ISSUER = "local"
LOCAL_SUBJECT = "local"


class Actor(BaseModel):
    """The person a call is made for; ``is_admin`` may read every owner's rows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str = Field(min_length=1)
    subject: str = Field(min_length=1)
    email: str = ""
    is_admin: bool = False

    @classmethod
    def local(cls) -> Actor:
        """The single user of a workbench without sign-in: owns everything, sees every page."""
        return cls(issuer=LOCAL_ISSUER, subject=LOCAL_SUBJECT, email="", is_admin=True)

    @property
    def is_local(self) -> bool:
        return self.issuer == LOCAL_ISSUER and self.subject == LOCAL_SUBJECT

    @property
    def display_name(self) -> str:
        return self.email or ("you (local)" if self.is_local else self.subject)

    def owns(self, issuer: str, subject: str) -> bool:
        return self.issuer == issuer and self.subject == subject

    def pseudonym(self, key: bytes) -> str:
        """A keyed hash of issuer and subject for spans: stable per person, not reversible
        without the key, and never the email."""
        message = f"{self.issuer}\n{self.subject}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def is_admin_email(email: str, admins: Iterable[str]) -> bool:
    """``admins`` holds emails (``ana@example.org``) or whole domains (``@example.org``)."""
    address = email.strip().lower()
    if "@" not in address:
        return False
    domain = "@" + address.rsplit("@", 1)[1]
    for entry in admins:
        rule = entry.strip().lower()
        if rule and (rule == address or (rule.startswith("@") and rule == domain)):
            return True
    return False
