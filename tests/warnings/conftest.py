import pytest

from tests.warnings.builders import build


@pytest.fixture(autouse=True)
def _tasks_in_process(tasks_in_process):
    """Publishing hands delivery to a task: here it runs in-process (as with no broker), also
    when CI configures Redis; the escalation tests drive the tick themselves."""


@pytest.fixture
def world(tree):
    return build(tree)
