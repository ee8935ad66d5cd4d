"""The local stand-in for AWS, the parts that need no HTTP layer.

:mod:`portal.localdev.dynamodb_local` runs Amazon's DynamoDB Local (from the
pinned npm package, on the machine's Java), :mod:`portal.localdev.watch`
rebuilds the site when its sources change, and :mod:`portal.localdev.demo`
loads the demo people. The server that mounts the Flask app beside the built
site (CloudFront + API Gateway's stand-in) is :mod:`functions.local.server`:
``portal`` imports neither ``functions`` nor Flask.
"""
