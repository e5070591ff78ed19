"""slackops: a support desk that lives in Slack and enforces a vendor's support policy."""

__version__ = "0.1.0"
