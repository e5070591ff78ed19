"""The service side of the desk: planned maintenance and its notices, the service's status
(a page per account), uptime and service credits, SLA reports and Prometheus metrics.

Pure parts (:mod:`.maintenance`, :mod:`.status`, :mod:`.uptime`, :mod:`.report`) take
``now`` and data and do no I/O; :mod:`.records` keeps maintenance in Redis, :mod:`.clock`
turns due instants into outbox notices in a worker, :mod:`.web` serves the pages.
"""
