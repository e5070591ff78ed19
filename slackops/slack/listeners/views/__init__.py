"""View submissions (modals): callback_id -> callback."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from slackops.slack.ids import CallbackId
from slackops.slack.listeners.routing import pattern, router
from slackops.slack.listeners.views import (
    agent,
    customer,
    maintenance,
    open_request,
    records,
    satisfaction,
    settings,
)

VIEWS: dict[CallbackId, Callable[..., None]] = {
    CallbackId.OPEN_REQUEST: open_request.submit,
    CallbackId.ASSIGN: agent.assign,
    CallbackId.RECLASSIFY: agent.reclassify,
    CallbackId.ACCEPT: agent.accept,
    CallbackId.CATEGORIZE: agent.categorize,
    CallbackId.REQUEST_INFO: agent.request_info,
    CallbackId.CRITICAL_NOTICE: agent.critical_notice,
    CallbackId.RESOLVE: agent.resolve,
    CallbackId.REOPEN: agent.reopen,
    CallbackId.ESCALATE: agent.escalate,
    CallbackId.CUSTOMER_ESCALATE: customer.escalate,
    CallbackId.APPEAL: customer.appeal,
    CallbackId.ADD_INFO: customer.add_info,
    CallbackId.POST_UPDATE: records.post_update,
    CallbackId.RECORD_PLAN: records.record_plan,
    CallbackId.WORKAROUND: records.workaround,
    CallbackId.IDENTIFIED: records.identified,
    CallbackId.UPGRADE_DECLINE: records.upgrade_decline,
    CallbackId.REQUEST_UPGRADE: records.request_upgrade,
    CallbackId.ACCOUNT_SETTINGS: settings.submit,
    CallbackId.MAINTENANCE: maintenance.submit_maintenance,
    CallbackId.CSAT_COMMENT: satisfaction.submit,
}


def register(app: App) -> None:
    app.view(pattern(VIEWS))(router(VIEWS, lambda body: (body.get("view") or {}).get("callback_id")))
