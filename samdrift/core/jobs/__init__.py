"""Background jobs: Django's tasks interface (`django_tasks`) over samdrift's own database queue.

Apps write `@task()` functions in their `tasks.py` and call `.enqueue()`; `DatabaseBackend`
stores a `Job` row, `samdrift worker` (or the in-process worker of `make run`) claims it under a
lease, runs it and keeps the outcome. See docs/domains/jobs.md and ADRs 0010–0014.
"""
