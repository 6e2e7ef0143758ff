"""Outgoing mail. In development the message is printed to the log (console backend)."""
from __future__ import annotations

from flask import current_app, render_template
from flask_mailman import EmailMessage


def send_mail(to: str, subject: str, template: str, **context) -> None:
    """Render `templates/mail/<template>.txt` and send it to one address."""
    body = render_template(f"mail/{template}.txt", **context)
    EmailMessage(subject=subject, body=body, to=[to],
                 from_email=current_app.config["MAIL_DEFAULT_SENDER"]).send()
