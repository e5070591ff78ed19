"""Block actions (buttons): action_id -> callback."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from slackops.slack.ids import ActionId
from slackops.slack.listeners.actions import (
    agent_changes,
    agent_forms,
    customer,
    home,
    manager,
    menu,
    open_request,
    records,
    satisfaction,
    service,
)
from slackops.slack.listeners.routing import pattern, router

ACTIONS: dict[ActionId, Callable[..., None]] = {
    ActionId.OPEN_REQUEST: open_request.open_request,
    ActionId.TAKE: agent_changes.take,
    ActionId.ACKNOWLEDGE: agent_changes.acknowledge,
    ActionId.FEATURE_REQUEST: agent_changes.feature_request,
    ActionId.ASSIGN: agent_forms.assign,
    ActionId.RECLASSIFY: agent_forms.reclassify,
    ActionId.CATEGORIZE: agent_forms.categorize,
    ActionId.REQUEST_INFO: agent_forms.request_info,
    ActionId.CRITICAL_NOTICE: agent_forms.critical_notice,
    ActionId.RESOLVE: agent_forms.resolve,
    ActionId.REOPEN: agent_forms.reopen,
    ActionId.ESCALATE: agent_forms.escalate,
    ActionId.CUSTOMER_ESCALATE: customer.escalate,
    ActionId.APPEAL: customer.appeal,
    ActionId.ADD_INFO: customer.add_info,
    ActionId.CONFIRM_RESOLVED: customer.confirm_resolved,
    ActionId.ESCALATION_ACK: manager.acknowledge_escalation,
    ActionId.REASSIGN: manager.reassign,
    ActionId.OPEN_THREAD: manager.open_thread,
    ActionId.HOME_REFRESH: home.refresh,
    ActionId.ACCOUNT_SETTINGS: home.account_settings,
    ActionId.HOME_SHOW_CLOSED: home.show_closed,
    # what agents record of the work the policy measures; a customer's upgrade request
    ActionId.POST_UPDATE: records.post_update,
    ActionId.RECORD_PLAN: records.record_plan,
    ActionId.WORKAROUND: records.workaround,
    ActionId.IDENTIFIED: records.identified,
    ActionId.UPGRADE_ACCEPT: records.upgrade_accept,
    ActionId.UPGRADE_DECLINE: records.upgrade_decline,
    ActionId.REQUEST_UPGRADE: records.request_upgrade,
    ActionId.SERVICE_AFFECTED: service.service_affected,
    # customers, under a closed request's survey
    ActionId.CSAT_1: satisfaction.rate,
    ActionId.CSAT_2: satisfaction.rate,
    ActionId.CSAT_3: satisfaction.rate,
    ActionId.CSAT_4: satisfaction.rate,
    ActionId.CSAT_5: satisfaction.rate,
    ActionId.CSAT_COMMENT: satisfaction.comment,
}


def register(app: App) -> None:
    route = router(ACTIONS, lambda body: (body.get("actions") or [{}])[0].get("action_id"))

    def act(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, logger: Any) -> None:
        # an option of the agents' "More actions" menu is its button, pressed
        body, ask_first = menu.unfold(body)
        if ask_first:
            ack()
            menu.confirm_feature_request(body, client, json.loads(body["actions"][0]["value"]).get("r", ""))
            return
        if menu.closed_request(body, context.get("desk"), ack):
            return
        route(ack, body, client, context, logger)

    app.action(re.compile(f"{pattern(ACTIONS).pattern}|^{menu.MENU_ACTION}$"))(act)
