"""What counts as a transient error for a Celery task, and the retry policy every task uses.

A transient error is one a later attempt can succeed past: the database restarting or failing
over (``OperationalError``, ``InterfaceError``), Redis or the network dropping a connection.
Tasks are written so a retry is harmless: each claims its row with a state change under
``select_for_update`` and does nothing when the row is no longer in the state it expects.
"""

import kombu.exceptions
from django.db import InterfaceError, OperationalError

try:  # the Redis client is there whenever a broker is configured
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover
    RedisConnectionError = RedisTimeoutError = ConnectionError

TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    kombu.exceptions.OperationalError,
    RedisConnectionError,
    RedisTimeoutError,
)

# Keyword arguments for @shared_task: up to 5 retries, 2 s, 4 s, 8 s ... at most 5 minutes
# apart, with jitter so a fleet of workers does not retry in step.
RETRY_POLICY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


def is_transient(exc):
    return isinstance(exc, TRANSIENT_ERRORS)


def should_retry(task, exc):
    """Whether a task that caught ``exc`` should re-raise it for a retry. Not when running
    in-process (the embedded default, no broker): there a retry would surface as an error in
    the user's request, so the task records the failure and the user retries."""
    return (
        is_transient(exc)
        and not task.request.is_eager
        and task.request.retries < RETRY_POLICY["max_retries"]
    )
