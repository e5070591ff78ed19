"""The sandbox: the whole desk in a browser, with no Slack workspace.

``slackops sandbox`` runs the real app over HTTP, its workers and a stand-in for Slack
(:mod:`slackops.sandbox.slack`, the Web API; :mod:`slackops.sandbox.driver`, the signed
requests Slack sends), and serves a page that shows what each person would see in Slack.
"""
