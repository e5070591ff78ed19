"""Policy-as-code: policies, business calendars and timelines. Pure: no I/O beyond reading policy files.

```python
from slackops.policy import load
policy = load("comensure")                      # a preset name, or a path to a YAML file
policy.timeline("P1", submitted_at, now=now)    # list[Checkpoint], sorted by due_at
```
"""

from __future__ import annotations

from slackops.policy.calendar import Calendar
from slackops.policy.durations import Duration, parse_duration
from slackops.policy.loader import list_presets, load, parse_policy_text
from slackops.policy.model import (
    CHECKPOINT_KINDS,
    TARGET_KINDS,
    AutoUpgrade,
    Category,
    EscalationStep,
    Intake,
    Maintenance,
    Policy,
    PolicyError,
    Priority,
    Target,
    Uptime,
)
from slackops.policy.timeline import Checkpoint

__all__ = [
    "load",
    "list_presets",
    "parse_policy_text",
    "Policy",
    "Priority",
    "Target",
    "EscalationStep",
    "AutoUpgrade",
    "Category",
    "Intake",
    "Maintenance",
    "Uptime",
    "Calendar",
    "Checkpoint",
    "Duration",
    "parse_duration",
    "PolicyError",
    "TARGET_KINDS",
    "CHECKPOINT_KINDS",
]
