"""Policy-as-code: policies, business calendars and timelines. Pure: no I/O beyond reading policy files."""
