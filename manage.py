#!/usr/bin/env python
"""Django's command-line utility for Mailyard."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    from config.embedded import start_if_needed

    start_if_needed()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
