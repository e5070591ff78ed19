"""Running a desk for real: backups and their restore, the retention of closed requests.

``slackops backup`` / ``slackops restore`` (:mod:`slackops.production.backup`) and
``slackops requests archive`` (:mod:`slackops.production.retention`).
"""
