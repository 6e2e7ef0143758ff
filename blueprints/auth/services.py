"""Account rules on top of the kernel's identity functions.

- A password change needs the current password and ends every other session.
- A password reset ends every session, and answers the same whether the address exists.
- Two-factor can be turned off only by users who are not required to use it.
- Every authentication event goes to the security log.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, InvalidCode
from tenants.identity import (
    authenticate,
    create_reset_token,
    create_user,
    disable_totp,
    normalize_email,
    redeem_reset_token,
    set_password,
    user_by_email,
    verify_password,
    verify_second_factor,
)
from tenants.membership import requires_two_factor
from tenants.models import User
from tenants.sessions import revoke_all_sessions, start_session


class LoginFailed(DomainError):
    default_message = _l("Dit e-mailadres en wachtwoord horen niet bij elkaar. Probeer het opnieuw.")


def check_password_login(session: Session, actor: Actor, email: str, password: str) -> User:
    """First login step. Raises LoginFailed (the same message for unknown and wrong)."""
    user = authenticate(session, email, password)
    if user is None:
        audit.record_security(session, "login.failed", email=normalize_email(email)[:254],
                              ip=actor.ip)
        raise LoginFailed()
    return user


def check_second_factor(session: Session, actor: Actor, user: User, code: str, *,
                        replay_protection: bool) -> str:
    """Second login step: a TOTP or recovery code. Raises InvalidCode."""
    try:
        method = verify_second_factor(session, user, code, replay_protection=replay_protection)
    except InvalidCode:
        audit.record_security(session, "login.2fa_failed", user_id=user.id, email=user.email,
                              ip=actor.ip)
        raise
    return method


def open_session(session: Session, user: User, *, ip: str | None, user_agent: str | None,
                 method: str) -> str:
    token = start_session(session, user, ip=ip, user_agent=user_agent)
    audit.record_security(session, "login.success", user_id=user.id, email=user.email, ip=ip,
                          method=method)
    return token


def request_password_reset(session: Session, actor: Actor, email: str,
                           max_age: timedelta) -> tuple[User, str] | None:
    """A reset token for an active user with this e-mail, or None. The caller answers alike."""
    user = user_by_email(session, email)
    audit.record_security(session, "password.reset_requested", user_id=user.id if user else None,
                          email=normalize_email(email)[:254], ip=actor.ip)
    if user is None or not user.is_active:
        return None
    return user, create_reset_token(session, user, max_age)


def reset_password(session: Session, actor: Actor, token: str, new_password: str) -> User:
    """Set a new password by token and end every session of the user."""
    user = redeem_reset_token(session, token, new_password)
    revoke_all_sessions(session, user)
    audit.record_security(session, "password.reset", user_id=user.id, email=user.email,
                          ip=actor.ip)
    return user


def change_password(session: Session, actor: Actor, user: User, current: str, new: str,
                    keep_token: str | None) -> int:
    """Change the password; every other session ends. Returns how many ended."""
    if not verify_password(user, current):
        raise DomainError(_l("Uw huidige wachtwoord klopt niet."))
    set_password(user, new)
    ended = revoke_all_sessions(session, user, except_token=keep_token)
    audit.record_security(session, "password.changed", user_id=user.id, email=user.email,
                          ip=actor.ip, sessions_ended=ended)
    return ended


def turn_off_two_factor(session: Session, actor: Actor, user: User) -> None:
    if requires_two_factor(session, user):
        raise DomainError(_l(
            "Tweestapsverificatie is verplicht voor beheerders, gemeentelijke gebruikers en "
            "platformbeheer. U kunt die niet uitzetten."))
    disable_totp(session, user)
    audit.record_security(session, "2fa.disabled", user_id=user.id, email=user.email, ip=actor.ip)


def register_invited_user(session: Session, email: str, name: str, password: str) -> User:
    """A new account for an invited address (the invitation proves the address)."""
    if user_by_email(session, email) is not None:
        raise DomainError(_l("Er is al een account met dit e-mailadres. Log eerst in."))
    user = create_user(session, email, name)
    set_password(user, password)
    return user
