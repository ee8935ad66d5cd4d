"""The deployment, as code: the CloudFormation template and the names both halves share.

``infra/template.yaml`` is generated (``portal infra template > infra/template.yaml``) and
checked in; a test fails when it differs from what :func:`portal.infra.template.build`
makes, so the table definition (:mod:`portal.store.tables`), the uploads bucket's rules
(:mod:`portal.uploads.bucket`) and the site's security headers
(:mod:`portal.site.security`) are each said once.

=====================  =========================================================
module                 what it describes
=====================  =========================================================
``names``              names shared by the template, ``zappa_settings.json`` and
                       ``portal doctor``: table, buckets, function, secrets
``cfn``                the few intrinsic-function helpers
``storage``            the DynamoDB table, the site, uploads and package buckets
``cdn``                CloudFront: origin access control, the index rewrite, the
                       ``/api/*`` origin request policy, the security headers
``access``             the Lambda function's execution role (least privilege)
``monitoring``         the alarm topic and the alarms
``template``           parameters, conditions, rules, outputs; build and render
=====================  =========================================================

Nothing here talks to AWS: the package is plain data, so the template is the same
on every machine.
"""
