"""Account rules on top of the kernel's identity functions.

- A password change needs the current password and ends every other session.
- A password reset ends every session, and answers the same whether the address exists.
- Two-factor can be turned off only by users who are not required to use it.
- Changing a factor (two-factor, recovery codes, password, an API token) needs the password,
  and the code where two-factor is on, typed in the last minutes (`confirm_identity`); the
  change ends every other session, goes to the security log and is mailed to the user
  (`factor_changed`).
- Every authentication event goes to the security log.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from tenants import audit
from tenants.actor import Actor
from tenants.errors import DomainError, InvalidCode
from tenants.mail import send_mail
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

log = logging.getLogger(__name__)

#: what each factor change is called in the security log and in the mail to the user
FACTOR_CHANGES = {
    "2fa.enabled": _l("Tweestapsverificatie is aangezet."),
    "2fa.replaced": _l("Er is een nieuwe app voor tweestapsverificatie gekoppeld."),
    "2fa.disabled": _l("Tweestapsverificatie is uitgezet."),
    "2fa.recovery_codes_renewed": _l("Er zijn nieuwe herstelcodes gemaakt; de oude werken niet meer."),
    "password.changed": _l("Uw wachtwoord is gewijzigd."),
    "api.token_created": _l("Er is een nieuwe API-sleutel gemaakt."),
}


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


def confirm_identity(session: Session, actor: Actor, user: User, password: str,
                     code: str | None, *, replay_protection: bool) -> None:
    """Re-authentication before a factor change: the password, and a code (TOTP or recovery)
    where two-factor is on. Raises DomainError / InvalidCode; failures go to the security log."""
    if not verify_password(user, password or ""):
        audit.record_security(session, "reauth.failed", user_id=user.id, email=user.email,
                              ip=actor.ip, reason="password")
        raise DomainError(_l("Uw wachtwoord klopt niet."))
    if user.has_totp:
        try:
            if not (code or "").strip():
                raise InvalidCode(_l("Vul ook de code uit uw authenticator-app in."))
            verify_second_factor(session, user, code, replay_protection=replay_protection)
        except InvalidCode:
            audit.record_security(session, "reauth.failed", user_id=user.id, email=user.email,
                                  ip=actor.ip, reason="code")
            raise
    audit.record_security(session, "reauth.success", user_id=user.id, email=user.email,
                          ip=actor.ip)


def factor_changed(session: Session, actor: Actor, user: User, action: str,
                   keep_token: str | None) -> int:
    """After a factor change: end every other session of `user`, log `action` (a key of
    FACTOR_CHANGES) and mail the user. Returns how many sessions ended. A mail that cannot be
    sent is logged, never raised: the change itself stands."""
    ended = revoke_all_sessions(session, user, except_token=keep_token)
    audit.record_security(session, action, user_id=user.id, email=user.email, ip=actor.ip,
                          sessions_ended=ended)
    try:
        send_mail(user.email, str(_l("Wijziging in de beveiliging van uw Wijkwerk-account")),
                  "security_change", user=user, what=str(FACTOR_CHANGES[action]), ip=actor.ip)
    except Exception:  # noqa: BLE001 - the change is made; the log shows the mail problem
        log.exception("Mailing the security notice %s failed", action)
    return ended


def change_password(session: Session, actor: Actor, user: User, current: str, new: str,
                    keep_token: str | None) -> int:
    """Change the password; every other session ends, the user is mailed. Returns how many
    sessions ended."""
    if not verify_password(user, current):
        raise DomainError(_l("Uw huidige wachtwoord klopt niet."))
    set_password(user, new)
    return factor_changed(session, actor, user, "password.changed", keep_token)


def turn_off_two_factor(session: Session, actor: Actor, user: User,
                        keep_token: str | None = None) -> None:
    if requires_two_factor(session, user):
        raise DomainError(_l(
            "Tweestapsverificatie is verplicht voor beheerders, gemeentelijke gebruikers en "
            "platformbeheer. U kunt die niet uitzetten."))
    disable_totp(session, user)
    factor_changed(session, actor, user, "2fa.disabled", keep_token)


def register_invited_user(session: Session, email: str, name: str, password: str) -> User:
    """A new account for an invited address (the invitation proves the address)."""
    if user_by_email(session, email) is not None:
        raise DomainError(_l("Er is al een account met dit e-mailadres. Log eerst in."))
    user = create_user(session, email, name)
    set_password(user, password)
    return user
