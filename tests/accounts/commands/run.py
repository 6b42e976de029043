"""Running a management command the way an operator's script would, capturing its output."""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command


@dataclass(frozen=True)
class Output:
    stdout: str
    stderr: str


def run(*args: str) -> Output:
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return Output(stdout.getvalue(), stderr.getvalue())
