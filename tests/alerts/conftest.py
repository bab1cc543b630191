"""The alerts' tests send through the mail tests' real SMTP server (aiosmtpd): its fixtures, reused."""

from tests.mail.conftest import inbox, smtp_down  # noqa: F401 (fixtures)
