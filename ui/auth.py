"""Who is using this browser tab: the ``Actor`` every service call is made for.

Sign-in is Streamlit's own (``st.login`` / ``st.user`` / ``st.logout``, OIDC through
Authlib), switched on by an ``[auth]`` section in ``.streamlit/secrets.toml``. Without
it the workbench serves one person on this computer: the local user, and a request
from another address is refused rather than shown someone's sessions.
"""

from __future__ import annotations

import ipaddress

import streamlit as st

from coach.users import Actor, is_admin_email
from ui.resources import workbench


def sign_in_configured() -> bool:
    """True when ``.streamlit/secrets.toml`` (or another secrets file) has ``[auth]``."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError):
        return False
    except Exception:
        return False


# This run's actor, worked out once at the top of every run by ``require_sign_in``: a
# page asks for it a dozen times a run, and without a secrets file each look for
# ``[auth]`` searches the disk again (~0.4 ms). A tab's user cannot change within its
# session (signing in or out reloads the page, which starts a new session), so a widget
# callback, which runs before the script, may use the one from the run before.
_ACTOR_KEY = "_actor_this_run"


def require_sign_in() -> Actor:
    """The acting user, or a sign-in screen (and the script stops) for a visitor.

    Called by workbench.py before the navigation, so no page runs for a stranger.
    """
    st.session_state.pop(_ACTOR_KEY, None)
    if not sign_in_configured():
        _refuse_remote_visitors()
        actor = Actor.local()
    elif not st.user.is_logged_in:
        st.title("Coaching Workbench")
        st.write("Sign in to practise: your sessions and chats are yours alone.")
        st.button("Sign in", type="primary", on_click=st.login, icon=":material/login:")
        st.stop()
    else:
        actor = _signed_in_actor()
    st.session_state[_ACTOR_KEY] = actor
    return actor


def current_actor() -> Actor:
    """The acting user of this script run (the local user without sign-in)."""
    remembered = st.session_state.get(_ACTOR_KEY)
    if isinstance(remembered, Actor):
        return remembered
    if not sign_in_configured():
        return Actor.local()
    if not st.user.is_logged_in:
        st.stop()  # require_sign_in has already shown the sign-in screen
    return _signed_in_actor()


def _signed_in_actor() -> Actor:
    user = st.user
    issuer = str(user.get("iss") or "")
    subject = str(user.get("sub") or "")
    email = str(user.get("email") or "")
    verified = user.get("email_verified")
    # An email the provider says is unverified cannot make anyone an admin.
    admin = verified is not False and is_admin_email(email, workbench().settings.auth.admin_rules)
    return Actor(issuer=issuer, subject=subject, email=email, is_admin=admin)


def sidebar(actor: Actor) -> None:
    """Who is signed in, or that this is the local single-user mode."""
    if not actor.is_local:
        st.caption(
            f"Signed in as {actor.email or actor.subject}" + (" · admin" if actor.is_admin else "")
        )
        st.button("Sign out", on_click=st.logout, icon=":material/logout:")
    else:
        st.caption(
            "Local single-user mode: no sign-in, so the workbench serves only this computer "
            "(127.0.0.1). Configure [auth] in .streamlit/secrets.toml to share it."
        )


def _refuse_remote_visitors() -> None:
    """Without sign-in, only this computer may use the app: everyone else would be the
    local user and read every session."""
    address = st.context.ip_address  # None for loopback (and in AppTest)
    try:
        remote = address is not None and not ipaddress.ip_address(address).is_loopback
    except ValueError:
        remote = False  # not an address at all: no network peer to refuse
    if remote:
        st.error(
            "This workbench runs in local single-user mode (no sign-in is configured), so "
            "it only serves the computer it runs on. Ask its owner to set up sign-in."
        )
        st.stop()
