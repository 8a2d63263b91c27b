"""E-mail through SMTP (standard library ``smtplib``), configured in the contest settings.

Off by default (``Settings.email_enabled``). The server, port, STARTTLS, user name and sender are
settings; the password is read only from the environment variable ``CONTEST_SMTP_PASSWORD``, so it
never lands in the database or a backup. ``send`` raises on any failure; ``contest.notices`` calls it
after the in-portal notice is committed, catches the error and logs it.
"""
from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr

TIMEOUT_S = 10


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    sender: str = ""
    starttls: bool = False
    username: str = ""
    password: str = ""
    sender_name: str = ""
    timeout: float = TIMEOUT_S


def config(contest) -> SmtpConfig | None:
    """The SMTP configuration of these settings, or None while e-mail is off or no server is set."""
    if not contest.email_enabled or not contest.smtp_host or not contest.smtp_sender:
        return None
    return SmtpConfig(host=contest.smtp_host, port=int(contest.smtp_port or 25), sender=contest.smtp_sender,
                      starttls=bool(contest.smtp_starttls), username=contest.smtp_username or "",
                      password=os.environ.get("CONTEST_SMTP_PASSWORD", ""), sender_name=contest.contest_name)


def message(cfg: SmtpConfig, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((cfg.sender_name, cfg.sender)) if cfg.sender_name else cfg.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body, charset="utf-8")
    return msg


def send(cfg: SmtpConfig, messages: list[tuple[str, str, str]]) -> list[str | None]:
    """Send (to, subject, body) messages over one connection; per message None (sent) or the error text.

    A server that cannot be reached (or refuses the login) raises OSError / SMTPException."""
    if not messages:
        return []
    results: list[str | None] = []
    with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
        if cfg.starttls:
            smtp.starttls()
        if cfg.username:
            smtp.login(cfg.username, cfg.password)
        for to, subject, body in messages:
            try:
                smtp.send_message(message(cfg, to, subject, body))
                results.append(None)
            except smtplib.SMTPRecipientsRefused as error:
                results.append(str(error))
    return results
