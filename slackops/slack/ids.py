"""Every Slack id the app uses, in one place (Netflix/dispatch's ConversationButtonActions).

Builders, listeners and manifest.yml all name ids through these enums, so that a button
can never point at a listener that does not exist (tests/slack/test_manifest.py checks).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ActionId", "BlockId", "CallbackId", "Command", "EventType", "InputId", "ShortcutId"]


class Command(StrEnum):
    SUPPORT = "/support"


class ShortcutId(StrEnum):
    """callback_id of shortcuts declared in manifest.yml."""

    OPEN_FROM_MESSAGE = "open_support_request"


class EventType(StrEnum):
    """Bot events subscribed in manifest.yml."""

    MESSAGE = "message"
    REACTION_ADDED = "reaction_added"
    APP_HOME_OPENED = "app_home_opened"
    MEMBER_JOINED_CHANNEL = "member_joined_channel"


class CallbackId(StrEnum):
    """callback_id of modals (view submissions)."""

    OPEN_REQUEST = "slackops_open_request"
    ASSIGN = "slackops_assign"
    RECLASSIFY = "slackops_reclassify"
    ACCEPT = "slackops_accept"
    CATEGORIZE = "slackops_categorize"
    REQUEST_INFO = "slackops_request_info"
    CRITICAL_NOTICE = "slackops_critical_notice"
    RESOLVE = "slackops_resolve"
    REOPEN = "slackops_reopen"
    ESCALATE = "slackops_escalate"
    CUSTOMER_ESCALATE = "slackops_customer_escalate"
    APPEAL = "slackops_appeal"
    ADD_INFO = "slackops_add_info"
    # agents' records of the work the policy measures
    POST_UPDATE = "slackops_post_update"
    RECORD_PLAN = "slackops_record_plan"
    WORKAROUND = "slackops_workaround"
    IDENTIFIED = "slackops_identified"
    UPGRADE_DECLINE = "slackops_upgrade_decline"
    # customers: ask for a higher priority
    REQUEST_UPGRADE = "slackops_request_upgrade"
    # customers: the account's settings (the calendar of its new requests)
    ACCOUNT_SETTINGS = "slackops_account_settings"
    MAINTENANCE = "slackops_maintenance"  # /support maintenance (slackops.slack.blocks.maintenance)
    CSAT_COMMENT = "slackops_csat_comment"  # customers: a rating with a comment


class ActionId(StrEnum):
    """action_id of buttons; the value of each is an ActionValue (metadata.py) as JSON."""

    # anyone allowed to open requests (pinned message, App Home)
    OPEN_REQUEST = "open_request"
    # agents, on the request card
    TAKE = "req_take"
    ASSIGN = "req_assign"
    ACKNOWLEDGE = "req_acknowledge"
    RECLASSIFY = "req_reclassify"
    CATEGORIZE = "req_categorize"
    REQUEST_INFO = "req_request_info"
    FEATURE_REQUEST = "req_feature_request"
    CRITICAL_NOTICE = "req_critical_notice"
    RESOLVE = "req_resolve"
    REOPEN = "req_reopen"
    ESCALATE = "req_escalate"
    # agents' records of the work the policy measures (card), and a customer's upgrade request (thread)
    POST_UPDATE = "req_post_update"
    RECORD_PLAN = "req_record_plan"
    WORKAROUND = "req_workaround"
    IDENTIFIED = "req_identified"
    UPGRADE_ACCEPT = "req_upgrade_accept"
    UPGRADE_DECLINE = "req_upgrade_decline"
    # customers, on the card and in the thread
    CUSTOMER_ESCALATE = "req_customer_escalate"
    APPEAL = "req_appeal"
    ADD_INFO = "req_add_info"
    CONFIRM_RESOLVED = "req_confirm_resolved"
    REQUEST_UPGRADE = "req_request_upgrade"
    # customers, under a closed request's survey: a rating (1 to 5), or the form with a comment
    CSAT_1 = "csat_rate_1"
    CSAT_2 = "csat_rate_2"
    CSAT_3 = "csat_rate_3"
    CSAT_4 = "csat_rate_4"
    CSAT_5 = "csat_rate_5"
    CSAT_COMMENT = "csat_comment"
    # managers, in escalation DMs (also used by the workers' notices)
    ESCALATION_ACK = "esc_acknowledge"
    REASSIGN = "esc_reassign"
    OPEN_THREAD = "open_thread"  # a link button: Slack still sends an action, acked and ignored
    # App Home
    HOME_REFRESH = "home_refresh"
    ACCOUNT_SETTINGS = "home_account_settings"
    HOME_SHOW_CLOSED = "home_show_closed"
    # agents, on the request card: service impact (slackops.slack.blocks.service)
    SERVICE_AFFECTED = "req_service_affected"


class BlockId(StrEnum):
    """block_id of the card's blocks and of modal inputs (errors are keyed by these)."""

    CARD_HEADER = "card_header"
    CARD_FIELDS = "card_fields"
    CARD_DUE = "card_due"
    CARD_DESCRIPTION = "card_description"
    CARD_RECORDS = "card_records"
    CARD_AGENT_ACTIONS = "card_agent_actions"
    CARD_CUSTOMER_ACTIONS = "card_customer_actions"
    CARD_FLAGS = "card_flags"  # the agents' card
    CARD_CLOCKS = "card_clocks"
    PRIORITY = "priority"
    TITLE = "title"
    DESCRIPTION = "description"
    IMPACT = "impact"
    ENVIRONMENT = "environment"
    STEPS = "steps"
    CATEGORY = "category"
    LANGUAGE = "language"
    JUSTIFICATION = "justification"
    REASON = "reason"
    RESOLUTION = "resolution"
    NOTE = "note"
    QUESTION = "question"
    TEXT = "text"
    ASSIGNEE = "assignee"
    NOTICE_TEXT = "notice_text"
    EXPECTED = "expected"
    CALENDAR = "calendar"
    # the maintenance form (slackops.slack.blocks.maintenance)
    MNT_START = "mnt_start"
    MNT_END = "mnt_end"
    MNT_IMPACT = "mnt_impact"
    MNT_ACCOUNTS = "mnt_accounts"
    MNT_EMERGENCY = "mnt_emergency"
    MNT_NOTE = "mnt_note"
    CSAT = "csat"  # the survey's buttons
    RATING = "rating"


class InputId(StrEnum):
    """action_id of modal input elements (they never fire listeners)."""

    VALUE = "value"
