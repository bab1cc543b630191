"""Mail through a transactional outbox (issue 18): a message is queued in the transaction of the change that
causes it and sent by SMTP after the commit (`flask --app portal mail send` catches up)."""
