"""The module-level WSGI application Zappa serves (``app_function: functions.wsgi.app``)."""

from functions.app import create_app

app = create_app()
