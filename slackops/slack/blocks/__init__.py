"""Pure Block Kit builders: a request (and its checkpoints, the viewer's zone) in, blocks out.

No storage, no Web API calls: everything a builder shows is passed to it.
``notices.py`` belongs to the workers' area.
"""
