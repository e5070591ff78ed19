"""The Slack app on Bolt for Python: factory, listeners, Block Kit builders and i18n."""
