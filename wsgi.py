"""gunicorn entry point: `gunicorn wsgi:app`. In production it refuses to start while a demo account is active."""

from portal import create_app
from portal.users.operations import refuse_demo_accounts_in_production

app = create_app()
refuse_demo_accounts_in_production(app)
