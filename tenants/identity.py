"""Identity: passwords, two-factor codes, recovery codes, password-reset tokens.

Rules:
- passwords are hashed with argon2id (argon2-cffi defaults), re-hashed when parameters change;
  at least 8 and at most 128 characters, not one of the 20,000 most common, not the e-mail;
- an unknown e-mail costs the same hash time as a wrong password (no user enumeration);
- a TOTP code is accepted in a window of one step either side, and once only where replay
  protection is on; recovery codes are single use;
- reset tokens are random, stored as SHA-256, single use and expire.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pyotp
import qrcode
import qrcode.image.svg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tenants.errors import InvalidCode, InvalidToken, WeakPassword
from tenants.models import PasswordResetToken, RecoveryCode, User
from tenants.db import utcnow

_hasher = PasswordHasher()
# Recovery codes carry 40 random bits: OWASP's minimum argon2id settings suffice and keep
# enrolment quick (ten hashes).
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _hasher.hash("wijkwerk-dummy-password-for-timing")
MIN_PASSWORD = 8
MAX_PASSWORD = 128
TOTP_ISSUER = "Wijkwerk"
RECOVERY_CODE_COUNT = 10


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- passwords ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def password_problem(password: str, email: str | None = None):
    """Why `password` is not acceptable (a translatable message), or None."""
    if len(password) < MIN_PASSWORD:
        return _l("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        return _l("Een wachtwoord mag hoogstens %(n)s tekens lang zijn.", n=MAX_PASSWORD)
    lowered = password.lower()
    if lowered in _common_passwords() or lowered in {"wijkwerk", "wachtwoord", "welkom01"}:
        return _l("Dit wachtwoord wordt veel gebruikt en is makkelijk te raden. Kies een ander.")
    if email and lowered == normalize_email(email):
        return _l("Uw wachtwoord mag niet gelijk zijn aan uw e-mailadres.")
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def set_password(user: User, password: str, *, check: bool = True) -> None:
    """Set a new password; raises WeakPassword with the reason."""
    if check:
        problem = password_problem(password, user.email)
        if problem:
            raise WeakPassword(problem)
    user.password_hash = hash_password(password)


def verify_password(user: User | None, password: str) -> bool:
    """True when `password` is the user's; spends the same time when there is no user."""
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password + "x")
        except VerificationError:
            pass
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (same cost either way)."""
    user = user_by_email(session, email)
    if not verify_password(user, password):
        return None
    if user is None or not user.is_active:
        return None
    return user


def create_user(session: Session, email: str, name: str, password: str | None = None) -> User:
    user = User(email=normalize_email(email), name=name.strip())
    if password is not None:
        set_password(user, password)
    session.add(user)
    session.flush()
    return user


# --- two-factor (TOTP) ---------------------------------------------------------------------

def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (no script, no inline style)."""
    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1]
    return svg


def _match_step(secret: str, code: str, at: datetime | None = None) -> int | None:
    code = (code or "").replace(" ", "").strip()
    # ASCII digits only: str.isdigit() is true for '١' or '²', which compare_digest refuses.
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = at or utcnow()
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=30 * offset)
        if secrets.compare_digest(totp.at(moment).encode(), code.encode()):
            return totp.timecode(moment)
    return None


def verify_totp(user: User, code: str, *, replay_protection: bool = True,
                secret: str | None = None) -> None:
    """Accept a TOTP code for `user` (or for a `secret` being enrolled); raises InvalidCode."""
    secret = secret or user.totp_secret
    if not secret:
        raise InvalidCode()
    step = _match_step(secret, code)
    if step is None:
        raise InvalidCode()
    if replay_protection and user.totp_last_step is not None and step <= user.totp_last_step:
        raise InvalidCode(_l("Deze code is al gebruikt. Wacht op de volgende code in uw app."))
    user.totp_last_step = step


def enable_totp(session: Session, user: User, secret: str, code: str, *,
                replay_protection: bool = True) -> list[str]:
    """Turn two-factor on once the user proves the secret works; returns new recovery codes."""
    user.totp_last_step = None  # steps of an earlier secret say nothing about this one
    verify_totp(user, code, replay_protection=replay_protection, secret=secret)
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    return new_recovery_codes(session, user)


def disable_totp(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are shown once and never stored."""
    session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(5)).decode().lower()
        code = f"{raw[:4]}-{raw[4:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hasher.hash(code)))
    session.flush()
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Spend one recovery code; True when it was valid and unused."""
    code = (code or "").strip().lower()
    if len(code) != 9 or "-" not in code:
        return False
    rows = session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for row in rows:
        try:
            _code_hasher.verify(row.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        row.used_at = utcnow()
        return True
    return False


def unused_recovery_code_count(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ) or 0


def verify_second_factor(session: Session, user: User, code: str, *,
                         replay_protection: bool = True) -> str:
    """Accept a TOTP code or a recovery code; returns which ('totp'/'recovery')."""
    cleaned = (code or "").strip()
    if "-" in cleaned:
        if use_recovery_code(session, user, cleaned):
            return "recovery"
        raise InvalidCode(_l("Deze herstelcode klopt niet of is al gebruikt."))
    verify_totp(user, cleaned, replay_protection=replay_protection)
    return "totp"


# --- password reset ------------------------------------------------------------------------

def create_reset_token(session: Session, user: User, max_age: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    session.add(PasswordResetToken(
        user_id=user.id, token_hash=sha256(token), expires_at=utcnow() + max_age,
    ))
    session.flush()
    return token


def redeem_reset_token(session: Session, token: str, new_password: str) -> User:
    """Set a new password with a reset token; the token is then spent. Raises InvalidToken."""
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == sha256(token or ""))
        .with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise InvalidToken()
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise InvalidToken()
    set_password(user, new_password)
    row.used_at = utcnow()
    # Any other open reset link of this user is void too.
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return user


def check_reset_token(session: Session, token: str) -> User:
    """The user a still-valid reset token belongs to; raises InvalidToken."""
    row = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == sha256(token or ""))
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        raise InvalidToken()
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise InvalidToken()
    return user
