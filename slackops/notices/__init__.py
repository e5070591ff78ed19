"""Notices: what the desk owes someone in Slack, and their delivery exactly once.

Both sides write notices: the Slack app records what a person's action calls for
(a card to post, a pinned button), the workers record what the policy calls for
(warnings, breaches, escalations). Every notice goes through the outbox
(:mod:`slackops.notices.outbox`), which posts it once, paced per channel
(:mod:`slackops.notices.pacing`) and folded into a digest when many fire at once
(:mod:`slackops.notices.digest`); :mod:`slackops.notices.routing` says which
channels and people a notice goes to.
"""
