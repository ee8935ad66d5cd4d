"""The HTTP layer deployed on AWS Lambda by Zappa.

``functions.app.create_app`` builds the Flask (flask-openapi3) application;
``functions.wsgi.app`` is the module-level instance Zappa points at. Views are
thin: they parse and validate the request, call the ``portal`` core and shape
the response. Domain errors become HTTP statuses in one place
(:mod:`functions.errors`). Nothing here talks to boto3 directly: clients come
from :mod:`portal.store.client` through :mod:`functions.context`.
"""
