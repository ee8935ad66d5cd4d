"""The local stand-in for AWS: DynamoDB Local, and one server for the site and the API.

In production CloudFront serves the static site from S3 and routes ``/api/*``
to API Gateway, which calls the Flask app on Lambda. Locally, ``portal dev``
plays both parts on 127.0.0.1: :mod:`portal.localdev.server` mounts the Flask
app from ``functions`` under ``/api/`` and serves ``build/site`` for everything
else, and :mod:`portal.localdev.dynamodb_local` runs Amazon's DynamoDB Local
(from the pinned npm package, on the machine's Java).

This package is the one place in ``portal`` allowed to import ``functions``
(and werkzeug): it is the local replacement for the AWS infrastructure that
sits *in front of* the functions, not part of the core. Nothing in ``portal``
imports this package except the ``portal dev`` command.
"""
