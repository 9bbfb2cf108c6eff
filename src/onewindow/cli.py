"""The ``onewindow`` command: Django's management commands, with OneWindow's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and args[1] == "demo":
        # The demo runs over plain HTTP on this machine with a locally generated key.
        os.environ.setdefault("ONEWINDOW_DEMO", "1")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["onewindow", *args[1:]])
    except ImproperlyConfigured as error:
        sys.stderr.write(f"onewindow: configuration error: {error}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
